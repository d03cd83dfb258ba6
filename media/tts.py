"""Narration from a script: speech, captions timed to it, one loudness-normalised file.

Each sentence is synthesised on its own, so the captions are exact: a cue's start and end are
counted in samples, not guessed. The engine is behind a small protocol (espeak-ng is the
embedded default: in Debian, >100x real time, deterministic); anything that turns a sentence
into 16-bit mono WAV fits.
"""

from __future__ import annotations

import io
import re
import wave
from typing import Protocol

from media.audio import DEFAULTS as LOUDNESS
from media.audio import loudnorm
from media.errors import MediaError
from media.progress import span
from media.tools import JobContext

DEFAULTS: dict = {"engine": "espeak-ng", "voice": "en", "speed": 160, "pause": 0.35, **LOUDNESS}
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")


class SpeechEngine(Protocol):
    def synthesise(self, sentence: str, voice: str, speed: int, ctx: JobContext) -> bytes:
        """WAV bytes (mono, 16-bit) of one sentence spoken by ``voice`` at ``speed`` words per minute."""
        ...


class EspeakEngine:
    """espeak-ng: formant synthesis, robotic but intelligible, instant and reproducible."""

    def synthesise(self, sentence: str, voice: str, speed: int, ctx: JobContext) -> bytes:
        # "--" ends the options, so a sentence starting with "-" is spoken, not parsed.
        return ctx.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", "--", sentence]).stdout


ENGINES: dict[str, SpeechEngine] = {"espeak-ng": EspeakEngine()}


def split_sentences(script: str) -> list[str]:
    """Lines first (an author's line break is a cue break), then sentence ends within a line."""
    sentences = []
    for line in script.splitlines():
        start = 0
        for end in _SENTENCE_END.finditer(line):
            sentences.append(line[start : end.end()])
            start = end.end()
        sentences.append(line[start:])
    return [s.strip() for s in sentences if s.strip()]


def voice_for(language: str, voice: str | None) -> str:
    """The engine voice: the author's choice, else the course language (espeak-ng knows BCP 47 tags)."""
    return voice or language.lower()


def speak(script: str, settings: dict, ctx: JobContext) -> dict:
    """Script -> ``narration.m4a`` + ``narration.vtt`` (one cue per sentence) + the duration."""
    sentences = split_sentences(script)
    if not sentences:
        raise MediaError.of(ctx.name, "the narration script is empty")
    engine = ENGINES[settings["engine"]]
    pcm, cues, frames = bytearray(), [], 0
    rate: int | None = None
    synth_progress = span(ctx.progress, 0.0, 0.3)
    for i, sentence in enumerate(sentences):
        wav = engine.synthesise(sentence, settings["voice"], settings["speed"], ctx)
        clip_rate, clip = _read_wav(wav, ctx.name, settings["voice"])
        if rate is None:
            rate = clip_rate
            pause = b"\0\0" * round(settings["pause"] * rate)
        elif clip_rate != rate:
            raise MediaError.of(ctx.name, f"speech engine changed sample rate mid-script ({rate} -> {clip_rate})")
        if i:
            pcm += pause
            frames += len(pause) // 2
        n = len(clip) // 2
        cues.append((frames / rate, (frames + n) / rate, sentence))
        pcm += clip
        frames += n
        if synth_progress:
            synth_progress((i + 1) / len(sentences))
    assert rate is not None  # at least one sentence was spoken
    wav_path = ctx.workdir / "speech.wav"
    with wave.open(str(wav_path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(pcm))
    duration = frames / rate
    (ctx.workdir / "narration.vtt").write_text(webvtt(cues), encoding="utf-8")
    loudnorm(
        wav_path,
        ctx.workdir / "narration.m4a",
        duration,
        settings,
        JobContext(ctx.name, ctx.workdir, ctx.deadline, span(ctx.progress, 0.3, 1.0)),
    )
    wav_path.unlink()
    return {
        "outputs": [
            {"role": "audio", "file": "narration.m4a", "mime": "audio/mp4"},
            {"role": "captions", "file": "narration.vtt", "mime": "text/vtt"},
        ],
        "duration": duration,
    }


def _read_wav(data: bytes, name: str, voice: str) -> tuple[int, bytes]:
    """Sample rate and PCM of a streamed WAV, read to the end (espeak-ng's header length is bogus)."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise MediaError.of(name, "the speech engine did not produce 16-bit mono audio")
            return w.getframerate(), w.readframes(1 << 62)
    except (wave.Error, EOFError):
        raise MediaError.of(name, f"the speech engine produced no audio (is '{voice}' a voice it knows?)") from None


def webvtt(cues: list[tuple[float, float, str]]) -> str:
    lines = ["WEBVTT", ""]
    for number, (start, end, text) in enumerate(cues, 1):
        lines += [str(number), f"{_stamp(start)} --> {_stamp(end)}", text.replace("-->", "->"), ""]
    return "\n".join(lines)


def _stamp(t: float) -> str:
    ms = round(t * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"
