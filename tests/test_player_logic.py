"""The player's pure logic in Node: LMS identifiers, scoring, the resume codec and the trackers
(against scorm-again run in Node as the LMS), fed the inputs learners really type."""
from __future__ import annotations

import itertools
import re

import pytest

from lms.tokens import lms_token
from node_js import run_js

SCORM12 = "/tests/node_modules/scorm-again/dist/esm/scorm12.js"
SCORM2004 = "/tests/node_modules/scorm-again/dist/esm/scorm2004.js"

HOSTILE = {
    "quotes": 'He said "yes" and it\'s `fine`',
    "backslashes": "C:\\temp\\new\\x \\\" \\\\",
    "brackets": "[a](b) {c} <d> </textarea><script>x</script>",
    "delimiters": "a[,]b[.]c [,] [.] {case_matters=true}",
    "emoji": "🔐 passphrase 👍🏽 ✔︎",
    "right-to-left": "كلمة المرور‏ 123 אבג",
    "10,000 characters": ("é\"[,]x🙂 " * 1250)[:10000],
}


def utf16_prefix(text: str, units: int) -> str:
    """The first ``units`` UTF-16 code units of ``text`` (the LMS's count), never half a surrogate pair."""
    return text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", errors="ignore")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_lms_tokens_are_one_to_one_and_inside_what_every_lms_accepts():
    alphabet = "a1-_"
    ids = ["".join(chars) for n in range(1, 6) for chars in itertools.product(alphabet, repeat=n)
           if chars[0] in "a1"]
    ids += ["c-gift-verify", "q_2-b", "Z" * 64, "a-" * 31 + "b_"]
    tokens = run_js({"tracking/formats.js": "lmsToken"}, "result = data.map(lmsToken);", ids)
    assert len(set(tokens)) == len(ids), "two ids share a token"
    assert all(re.fullmatch(r"[A-Za-z0-9_]{1,250}", t) for t in tokens)
    assert tokens == [lms_token(i) for i in ids]
    assert tokens[ids.index("c-gift-verify")] == "c_gift_verify"
    assert tokens[ids.index("q_2-b")] == "_q_12_0b"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_typed_answer_is_data_scored_resumed_and_reported(name):
    text = HOSTILE[name]
    out = run_js({"scoring.js": "scoreAnswer", "state.js": "encodeState, decodeState",
                  "tracking/index.js": "createTracker", SCORM12: "Scorm12API", SCORM2004: "Scorm2004API"}, """
        const { text } = data;
        const question = { id: "q-fill", type: "fill_in", points: 1, correct: [text], caseSensitive: true };
        const course = { id: "c", pages: [{ id: "p-1" }], quizzes: [{ id: "quiz", questions: [question] }] };
        const state = { current: "p-1", visited: ["p-1"], answers: { "q-fill": [text] }, attempts: { quiz: 1 },
                        submitted: { quiz: true } };
        const encoded = encodeState(state, course);
        const reported = {};
        for (const [kind, API] of [["scorm12", Scorm12API], ["scorm2004", Scorm2004API]]) {
          const api = new API({ lmsCommitUrl: false, logLevel: 5, autocommit: false });
          api.loadFromJSON(kind === "scorm12" ? { core: { entry: "ab-initio" } } : { entry: "ab-initio" });
          const tracker = await createTracker(kind, { course, api, window: null });
          await tracker.start();
          const ok = tracker.recordInteraction({ id: "q-fill", type: "fill-in", response: [text],
                                                 correct: ["security team"], result: "incorrect" });
          const cmi = JSON.parse(JSON.stringify(api.renderCMIToJSONObject())).cmi;
          const row = cmi.interactions["0"];
          reported[kind] = { ok, response: row.student_response ?? row.learner_response,
                             errors: tracker.errors.map((e) => e.code) };
        }
        result = {
          right: scoreAnswer(question, [text]), wrong: scoreAnswer(question, [text + "!"]),
          encoded, back: decodeState(encoded, course), state, reported,
        };
    """, {"text": text})
    assert out["right"] == {"correct": True, "earned": 1}
    assert out["wrong"] == {"correct": False, "earned": 0}
    assert out["back"] == out["state"], "the resumed answer must be exactly what was typed"
    assert re.fullmatch(r"[A-Za-z0-9\-_.!~*()]+", out["encoded"])
    one_line = " ".join(text.split())
    for kind, limit in (("scorm12", 255), ("scorm2004", 250)):
        got = out["reported"][kind]
        assert got["ok"] is True, (kind, got)
        expected = one_line if kind == "scorm12" else (
            one_line.replace("[,]", ",").replace("[.]", ".").lstrip("{").replace(",", "\uff0c"))
        if utf16_len(expected) > limit:
            assert got["response"] == utf16_prefix(expected, limit) and got["errors"] == ["truncated"], (kind, got)
        else:
            assert got["response"] == expected and got["errors"] == [], (kind, got)


def test_saved_progress_and_what_the_learner_did_meanwhile_merge():
    out = run_js({"state.js": "mergeStates"}, "result = mergeStates(data.saved, data.local);", {
        "saved": {"current": "p-4", "visited": ["p-1", "p-2", "p-4"], "answers": {"q-1": "c-a", "q-2": True},
                  "attempts": {"quiz-1": 2}, "submitted": {"quiz-1": True}},
        "local": {"current": "p-2", "visited": ["p-1", "p-2", "p-3"], "answers": {"q-2": False, "q-9": ["x"]},
                  "attempts": {"quiz-1": 1, "quiz-9": 1}, "submitted": {"quiz-9": True}},
    })
    assert out == {"current": "p-2", "visited": ["p-1", "p-2", "p-4", "p-3"],
                   "answers": {"q-1": "c-a", "q-2": False, "q-9": ["x"]},
                   "attempts": {"quiz-1": 3, "quiz-9": 1}, "submitted": {"quiz-1": True, "quiz-9": True}}


def test_an_unknown_tracking_kind_is_an_error_not_another_standard():
    out = run_js({"tracking/index.js": "createTracker"}, """
        result = [];
        for (const kind of ["scorm12", "scorm2004", "web", "cmi5", "", "toString", undefined]) {
          try { result.push((await createTracker(kind, { course: {}, window: null })).kind); }
          catch (error) { result.push(error.message); }
        }""")
    assert out[:3] == ["scorm12", "scorm2004", "web"]
    assert out[3] == 'unknown tracking kind "cmi5": expected one of scorm12, scorm2004, web'
    assert all(message.startswith("unknown tracking kind") for message in out[4:])


def test_course_score_and_status_follow_the_quizzes_and_the_completion_rule():
    out = run_js({"scoring.js": "courseScore, courseStatus, quizScore"}, """
        const q = (id, points, correct) => ({ id, type: "true_false", points, correct });
        const course = { pages: [{ id: "p-1" }, { id: "p-2" }], passingScore: 60, completion: "both",
          quizzes: [{ id: "z-1", passMark: 50, questions: [q("a", 1, true), q("b", 3, false)] },
                    { id: "z-2", passMark: 100, questions: [q("c", 1, true)] }] };
        const state = (answers, submitted, visited) => ({ answers, submitted, visited, attempts: {} });
        const partial = state({ a: true, b: false }, { "z-1": true }, ["p-1", "p-2"]);
        const all = state({ a: false, b: false, c: true }, { "z-1": true, "z-2": true }, ["p-1", "p-2"]);
        const unread = state({ a: true, b: false, c: true }, { "z-1": true, "z-2": true }, ["p-1"]);
        result = {
          partial: [quizScore(course.quizzes[0], partial), courseScore(course, partial), courseStatus(course, partial)],
          all: [courseScore(course, all), courseStatus(course, all)],
          unread: courseStatus(course, unread),
          damaged: quizScore(course.quizzes[0], state({ a: "yes", b: null }, { "z-1": true }, [])),
        };""")
    assert out["partial"] == [{"earned": 4, "max": 4, "percent": 100}, {"raw": 80, "min": 0, "max": 100, "scaled": 0.8},
                              {"completed": False, "passed": None}]
    assert out["all"] == [{"raw": 80, "min": 0, "max": 100, "scaled": 0.8}, {"completed": True, "passed": True}]
    assert out["unread"] == {"completed": False, "passed": True}
    assert out["damaged"] == {"earned": 0, "max": 4, "percent": 0}


@pytest.mark.parametrize(("lang", "typed", "value"), [
    ("en", "3.5", 3.5), ("en", " 1,000 ", 1000), ("en", "1,5", 1.5), ("en", "-2", -2), ("en", "\u22122.25", -2.25),
    ("en", "1,234.5", 1234.5), ("nl", "3,5", 3.5), ("nl", "1.000", 1000), ("nl", "1.234,5", 1234.5),
    ("nl", "3.5", 3.5), ("nl", "12 500", 12500), ("en", ".5", 0.5),
    ("en", "", None), ("en", "abc", None), ("en", "1e5", None), ("en", "1.2.3x", None), ("en", "--1", None),
])
def test_a_typed_number_is_read_the_way_the_course_language_writes_numbers(lang, typed, value):
    out = run_js({"questions/numeric.js": "parseNumber"}, "result = parseNumber(data.typed, data.lang);",
                 {"typed": typed, "lang": lang})
    assert out == value


def test_numeric_answers_score_within_their_range_and_resume_exactly():
    out = run_js({"scoring.js": "scoreAnswer", "state.js": "encodeState, decodeState"}, """
        const q = (correct) => ({ id: "q-n", type: "numeric", points: 2, correct });
        const course = { pages: [{ id: "p" }], quizzes: [{ id: "z", questions: [q({ min: 0.3, max: 0.3 })] }] };
        result = {
          exact: [scoreAnswer(q({ min: 0.3, max: 0.3 }), 0.1 + 0.2), scoreAnswer(q({ min: 0.3, max: 0.3 }), 0.31)],
          range: [4.99, 5, 6.5, 8, 8.01].map((v) => scoreAnswer(q({ min: 5, max: 8 }), v).correct),
          text: scoreAnswer(q({ min: 5, max: 8 }), "6"),
          back: [-123456789012345.67, 1e-7, 0, 42].map((v) => decodeState(encodeState(
            { current: "p", visited: ["p"], answers: { "q-n": v }, attempts: {}, submitted: {} }, course), course).answers["q-n"]),
        };""")
    assert out["exact"] == [{"correct": True, "earned": 2}, {"correct": False, "earned": 0}]
    assert out["range"] == [False, True, True, True, False]
    assert out["text"] == {"correct": False, "earned": 0}, "only a number read from the answer box counts"
    assert out["back"] == [-123456789012345.67, 1e-7, 0, 42]


def test_a_written_answer_is_unscored_or_marked_by_keywords_and_resumes_with_its_line_breaks():
    out = run_js({"scoring.js": "scoreAnswer, quizScore, courseScore, isScored", "state.js": "encodeState, decodeState"}, """
        const reflection = { id: "q-r", type: "free_text", points: 1, correct: [], maxLength: 100 };
        const marked = { id: "q-m", type: "free_text", points: 2, correct: ["Report", "security team"], maxLength: 100 };
        const quiz = { id: "z", questions: [reflection] };
        const course = { pages: [{ id: "p" }], quizzes: [quiz], passingScore: 80 };
        const text = "Line one,\\nand a second line [,] 🔐";
        const state = { current: "p", visited: ["p"], answers: { "q-r": [text] }, attempts: { z: 1 }, submitted: { z: true } };
        result = {
          scored: [isScored(reflection), isScored(marked)],
          reflection: scoreAnswer(reflection, ["anything"]),
          marked: [scoreAnswer(marked, ["I REPORT it to the Security Team."]), scoreAnswer(marked, ["I report it."])],
          quiz: quizScore(quiz, state), course: courseScore(course, state),
          unsubmitted: quizScore(quiz, { ...state, submitted: {} }),
          back: decodeState(encodeState(state, course), course).answers["q-r"],
        };""")
    assert out["scored"] == [False, True]
    assert out["reflection"] == {"correct": False, "earned": 0, "scored": False}
    assert out["marked"] == [{"correct": True, "earned": 2}, {"correct": False, "earned": 0}]
    assert out["quiz"] == {"earned": 0, "max": 0, "percent": 100}, "a reflection cannot be failed once submitted"
    assert out["course"]["raw"] == 100 and out["unsubmitted"]["percent"] == 0
    assert out["back"] == ["Line one,\nand a second line [,] 🔐"]


LIKERT = {"id": "q-view", "type": "likert", "points": 1, "text": "How far do you agree?", "correct": None,
          "scored": False, "statements": [{"id": "l-clear", "text": "The examples were clear"},
                                          {"id": "l-use", "text": "I will use it"}],
          "scale": ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]}


def test_a_survey_is_unscored_cannot_be_failed_and_resumes_its_ratings():
    out = run_js({"scoring.js": "scoreAnswer, quizScore, courseScore, courseStatus, isScored",
                  "state.js": "encodeState, decodeState"}, """
        const survey = data.likert;
        const scored = { id: "q-tf", type: "true_false", points: 2, correct: true };
        const only = { id: "z", passMark: 80, questions: [survey] };
        const mixed = { id: "y", passMark: 80, questions: [scored, survey] };
        const course = { pages: [{ id: "p" }], quizzes: [only, mixed], passingScore: 80, completion: "quiz_passed" };
        const answers = { "q-view": { "l-clear": 11, "l-use": 1 }, "q-tf": true };
        const state = { current: "p", visited: ["p"], answers, attempts: { z: 1, y: 1 }, submitted: { z: true, y: true } };
        const encoded = encodeState(state, course);
        const fewer = { ...survey, scale: survey.scale.slice(0, 5) };
        const more = { ...survey, statements: [...survey.statements, { id: "l-new", text: "New" }] };
        const reload = (q) => decodeState(encoded, { ...course, quizzes: [{ ...only, questions: [q] }] }).answers["q-view"];
        result = {
          scored: isScored(survey), score: scoreAnswer(survey, answers["q-view"]),
          only: quizScore(only, state), mixed: quizScore(mixed, state), course: courseScore(course, state),
          status: courseStatus(course, state), unsubmitted: quizScore(only, { ...state, submitted: {} }),
          encoded, back: decodeState(encoded, course).answers["q-view"], fewer: reload(fewer) ?? null,
          more: reload(more) ?? null,
        };""", {"likert": LIKERT})
    assert out["scored"] is False
    assert out["score"] == {"correct": False, "earned": 0, "scored": False}
    assert out["only"] == {"earned": 0, "max": 0, "percent": 100}, "a survey alone cannot be failed"
    assert out["mixed"] == {"earned": 2, "max": 2, "percent": 100}, "a survey adds nothing to a quiz's maximum"
    assert out["course"]["raw"] == 100 and out["status"] == {"completed": True, "passed": True}
    assert out["unsubmitted"]["percent"] == 0
    assert re.fullmatch(r"[A-Za-z0-9\-_.!~*()]+", out["encoded"])
    assert out["back"] == {"l-clear": 11, "l-use": 1}
    assert out["fewer"] is None, "a point no longer on the scale reopens the survey"
    assert out["more"] is None, "a statement added since reopens the survey"


@pytest.mark.parametrize("kind", ["scorm12", "scorm2004"])
def test_a_survey_reports_one_neutral_likert_interaction_per_statement_under_scorm_again(kind):
    out = run_js({"scoring.js": "interactionRecords, courseScore", "tracking/index.js": "createTracker",
                  SCORM12: "Scorm12API", SCORM2004: "Scorm2004API"}, """
        const survey = data.likert;
        const scored = { id: "q-tf", type: "true_false", points: 1, text: "Sure?", correct: true };
        const course = { id: "c", pages: [{ id: "p" }], quizzes: [{ id: "z", passMark: 80, questions: [scored, survey] }],
                         passingScore: 80 };
        const API = data.kind === "scorm12" ? Scorm12API : Scorm2004API;
        const api = new API({ lmsCommitUrl: false, logLevel: 5, autocommit: false });
        api.loadFromJSON(data.kind === "scorm12" ? { core: { entry: "ab-initio" } } : { entry: "ab-initio" });
        const tracker = await createTracker(data.kind, { course, api, window: null });
        await tracker.start();
        const answers = { "q-tf": false, "q-view": { "l-clear": 11, "l-use": 4 } };
        const records = [scored, survey].flatMap((q) => interactionRecords(q, answers[q.id]));
        const ok = records.map((r) => tracker.recordInteraction({ ...r, latencyMs: 1500 }));
        const score = courseScore(course, { answers: { ...answers, "q-tf": true }, submitted: { z: true } });
        const cmi = JSON.parse(JSON.stringify(api.renderCMIToJSONObject())).cmi;
        result = { ok, errors: tracker.errors, lmsError: String(api.lastErrorCode), cmi, score: score.raw,
                   ids: records.map((r) => r.id) };
    """, {"likert": LIKERT, "kind": kind})
    assert out["ok"] == [True, True, True] and out["errors"] == [] and out["lmsError"] == "0", out
    assert out["ids"] == ["q-tf", "q-view.l-clear", "q-view.l-use"]
    rows = [out["cmi"]["interactions"][str(i)] for i in range(3)]
    assert [r["id"] for r in rows] == [lms_token("q-tf"), lms_token("q-view.l-clear"), lms_token("q-view.l-use")]
    assert lms_token("q-view.l-clear") == "_q_0view_200002el_0clear"
    likert = rows[1:]
    assert [r["type"] for r in likert] == ["likert", "likert"]
    assert [r["result"] for r in likert] == ["neutral", "neutral"]
    assert [r["correct_responses"].get("_count", 0) in (0, "0") for r in likert] == [True, True], "no right answer"
    if kind == "scorm12":
        assert [r["student_response"] for r in likert] == ["b", "4"], "one character: 1-9, then a, b"
    else:
        assert [r["learner_response"] for r in likert] == ["11", "4"]
        assert [r["description"] for r in likert] == ["How far do you agree? The examples were clear",
                                                     "How far do you agree? I will use it"]
    assert out["score"] == 100, "the one scored question right is 100 %, whatever the survey says"


# ------------------------------------------------------------------ question banks and partial credit
def bank(ids: list[str], draw: int | None, points: float = 1) -> dict:
    return {"id": "z-bank", "passMark": 50, "draw": draw,
            "questions": [{"id": i, "type": "true_false", "points": points, "text": i, "correct": True} for i in ids]}


BANK = ["q-a", "q-b", "q-c", "q-d", "q-e", "q-f"]


def test_a_draw_is_the_same_for_the_same_learner_quiz_and_attempt_and_differs_between_attempts():
    out = run_js({"bank.js": "drawQuestions"}, """
        const seeds = (attempt) => ["ada", "bob", "cy"].map((who) => `${who}|z-bank|draw|${attempt}`);
        result = {
          first: seeds(1).map((s) => drawQuestions(data.quiz, s)),
          again: seeds(1).map((s) => drawQuestions(data.quiz, s)),
          second: seeds(2).map((s) => drawQuestions(data.quiz, s)),
          many: Array.from({ length: 60 }, (_, n) => drawQuestions(data.quiz, `x|z-bank|draw|${n}`).sort().join()),
          all: drawQuestions({ ...data.quiz, draw: null }, "ada|z-bank|draw|1"),
        };""", {"quiz": bank(BANK, 3)})
    assert out["first"] == out["again"], "the same seed draws the same questions"
    for drawn in out["first"] + out["second"]:
        assert len(drawn) == 3 and len(set(drawn)) == 3 and set(drawn) <= set(BANK)
    assert out["first"] != out["second"], "another attempt draws again"
    assert len(set(out["many"])) > 10, "draws spread over the bank"
    assert out["all"] == BANK, "no draw: every question"


def test_a_kept_draw_survives_a_republish_with_a_question_added_and_a_removed_one_is_replaced():
    out = run_js({"bank.js": "drawQuestions, askedQuestions", "state.js": "encodeState, decodeState",
                  "scoring.js": "quizScore"}, """
        const seed = "ada|z-bank|draw|1";
        const course = (quiz) => ({ pages: [{ id: "p" }], quizzes: [quiz] });
        const drawn = drawQuestions(data.quiz, seed);
        const state = { current: "p", visited: ["p"], answers: {}, attempts: {}, submitted: {}, draws: { "z-bank": drawn } };
        const saved = encodeState(state, course(data.quiz));
        const added = { ...data.quiz, questions: [data.extra, ...data.quiz.questions] };
        const resumedAdded = decodeState(saved, course(added));
        const gone = drawn[1];
        const removed = { ...data.quiz, questions: data.quiz.questions.filter((q) => q.id !== gone) };
        const resumedRemoved = decodeState(saved, course(removed));
        const replaced = drawQuestions(removed, seed, resumedRemoved.draws["z-bank"]);
        const plain = { current: "p", visited: ["p"], answers: {}, attempts: {}, submitted: {} };
        result = {
          drawn, saved, resumedAdded, freshAdded: drawQuestions(added, seed),
          keptAdded: drawQuestions(added, seed, resumedAdded.draws["z-bank"]),
          gone, resumedRemoved: resumedRemoved.draws["z-bank"], replaced,
          replacedAgain: drawQuestions(removed, seed, resumedRemoved.draws["z-bank"]),
          plain: encodeState(plain, course(data.quiz)), plainBack: decodeState(encodeState(plain, course(data.quiz)), course(data.quiz)),
          asked: askedQuestions(data.quiz, state).map((q) => q.id),
          notYet: quizScore(data.quiz, plain), drawnMax: quizScore(data.quiz, state),
        };""", {"quiz": bank(BANK, 3), "extra": bank(["q-new"], None)["questions"][0]})
    drawn = out["drawn"]
    assert out["resumedAdded"]["draws"] == {"z-bank": drawn}
    assert out["keptAdded"] == drawn, "a question added since changes nothing of the kept draw"
    assert out["resumedRemoved"] == [i for i in drawn if i != out["gone"]]
    replaced = out["replaced"]
    assert len(replaced) == 3 and out["gone"] not in replaced and set(drawn) - {out["gone"]} <= set(replaced)
    assert out["replacedAgain"] == replaced, "the replacement is the same every time"
    assert out["saved"].count(".") == 5, "the draw is a sixth section of the state"
    assert out["plain"].count(".") == 4 and "draws" not in out["plainBack"], "a state without a draw is as before"
    assert out["asked"] == [i for i in BANK if i in drawn], "asked in the quiz's order"
    assert out["notYet"]["max"] == 3 and out["drawnMax"]["max"] == 3


def test_an_old_state_decodes_as_before_and_a_submitted_bank_counts_only_its_draw():
    out = run_js({"state.js": "encodeState, decodeState", "scoring.js": "quizScore, courseScore, interactionRecords"}, """
        const quiz = data.quiz;
        const course = { pages: [{ id: "p" }], quizzes: [quiz], passingScore: 50 };
        const before = { ...course, quizzes: [{ ...quiz, draw: null }] };
        const answers = { "q-a": true, "q-c": false };
        const state = { current: "p", visited: ["p"], answers, attempts: { "z-bank": 1 }, submitted: { "z-bank": true },
                        draws: { "z-bank": ["q-c", "q-a"] } };
        const old = encodeState({ ...state, draws: undefined }, before);
        const back = decodeState(encodeState(state, course), course);
        result = {
          old: decodeState(old, before), oldInBank: decodeState(old, course),
          back, score: quizScore(quiz, back), course: courseScore(course, back),
          records: ["q-a", "q-c"].map((id) => interactionRecords(quiz.questions.find((q) => q.id === id), answers[id])[0]),
          unbanked: decodeState(encodeState(state, course), before),
        };""", {"quiz": bank(BANK, 2, points=2)})
    assert out["old"] == {"current": "p", "visited": ["p"], "answers": {"q-a": True, "q-c": False},
                          "attempts": {"z-bank": 1}, "submitted": {}}
    assert out["oldInBank"] == out["old"], "no draw kept: the quiz, not fully answered, is open again"
    assert out["back"]["draws"] == {"z-bank": ["q-c", "q-a"]} and out["back"]["submitted"] == {"z-bank": True}
    assert out["score"] == {"earned": 2, "max": 4, "percent": 50}, "the maximum counts the 2 drawn questions"
    assert out["course"]["raw"] == 50
    assert [(r["id"], r["result"], r["weighting"]) for r in out["records"]] == [
        ("q-a", "correct", 2), ("q-c", "incorrect", 2)]
    assert "draws" not in out["unbanked"], "a quiz that is no longer a bank keeps no draw"


def test_partial_credit_earns_the_fraction_right_and_the_lms_still_hears_incorrect():
    out = run_js({"scoring.js": "scoreAnswer, interactionRecords, quizScore"}, """
        const mr = { id: "q-mr", type: "multiple_response", points: 3, text: "Pick", partialCredit: true,
                     choices: ["a", "b", "c", "d", "e"].map((id) => ({ id, text: id })), correct: ["a", "b", "c"] };
        const match = { id: "q-m", type: "matching", points: 2, text: "Match", partialCredit: true,
                        correct: [["x", "x"], ["y", "y"], ["z", "z"]] };
        const order = { id: "q-o", type: "ordering", points: 1, text: "Order", partialCredit: true,
                        correct: ["1", "2", "3", "4", "5"] };
        const strict = (q) => ({ ...q, partialCredit: undefined });
        const s = (q, r) => scoreAnswer(q, r);
        result = {
          mr: [s(mr, ["a", "b", "c"]), s(mr, ["a", "b"]), s(mr, ["a", "b", "d"]), s(mr, ["a", "d", "e"]),
               s(mr, ["a", "b", "c", "d", "e"]), s(mr, ["a"]), s(strict(mr), ["a", "b"])],
          match: [s(match, [["x", "x"], ["y", "y"], ["z", "z"]]), s(match, [["x", "x"], ["y", "z"], ["z", "y"]]),
                  s(match, [["x", "y"], ["y", "z"], ["z", "x"]]), s(match, [["x", "x"]]), s(strict(match), [["x", "x"]])],
          order: [s(order, ["1", "2", "3", "4", "5"]), s(order, ["5", "1", "2", "3", "4"]), s(order, ["5", "4", "3", "2", "1"]),
                  s(order, ["2", "1", "4", "3", "5"]), s(strict(order), ["5", "1", "2", "3", "4"])],
          record: interactionRecords(mr, ["a", "b"])[0],
          quiz: quizScore({ id: "z", questions: [mr, match, order] },
            { submitted: { z: true }, answers: { "q-mr": ["a", "b"], "q-m": [["x", "x"]], "q-o": ["5", "1", "2", "3", "4"] } }),
        };""")
    earned = lambda rows: [(r["correct"], r["earned"]) for r in rows]  # noqa: E731
    # Multiple response: (right picks - wrong picks) / correct choices, never below 0.
    assert earned(out["mr"]) == [(True, 3), (False, 2), (False, 1), (False, 0), (False, 1), (False, 1), (False, 0)]
    # Matching: pairs right / pairs.
    assert earned(out["match"]) == [(True, 2), (False, 0.67), (False, 0), (False, 0.67), (False, 0)]
    # Ordering: (longest run in the right relative order - 1) / (items - 1).
    assert earned(out["order"]) == [(True, 1), (False, 0.75), (False, 0), (False, 0.5), (False, 0)]
    assert (out["record"]["result"], out["record"]["weighting"]) == ("incorrect", 3)
    assert out["quiz"] == {"earned": 3.42, "max": 6, "percent": 57}
