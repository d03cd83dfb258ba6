"""A course's theme in the player: the author's accent colours and type family as CSS custom
properties, and the check that they stay readable.

The player's own palette is fixed (player.css), so the only colours an author chooses are the
accents. Each must keep WCAG AA contrast (4.5:1, the level for text, since links are drawn in it)
against the backgrounds it is drawn on, and against the text drawn on it (buttons): a colour
that fails is a build problem naming the setting, so it is fixed by the author before any
learner has to squint at it.
"""

from __future__ import annotations

from courses.errors import Problem
from courses.model import Course

AA_TEXT = 4.5
# The backgrounds an accent meets, and the text drawn on accent buttons, per colour scheme (player.css).
PALETTE = {
    "light": {"page background": "#ffffff", "menu background": "#f4f6f8", "button text": "#ffffff"},
    "dark": {"page background": "#0f1419", "menu background": "#1a2129", "button text": "#0f1419"},
}
FONTS = {
    "sans": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    "serif": 'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif',
    "rounded": 'ui-rounded, "SF Pro Rounded", "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, "Arial Rounded MT", '
    "sans-serif",
}


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def theme_problems(course: Course, file: str = "course.yaml") -> list[Problem]:
    """Every accent colour of ``course`` that would be too faint somewhere it is drawn."""
    problems = []
    for field, scheme, colour in (
        ("accent", "light", course.theme.accent),
        ("accent_dark", "dark", course.theme.accent_dark),
    ):
        if colour is None:
            continue
        for where, other in PALETTE[scheme].items():
            ratio = contrast(colour, other)
            if ratio < AA_TEXT:
                problems.append(
                    Problem(
                        file,
                        None,
                        f"theme.{field}",
                        f"{colour} has a contrast of {ratio:.1f}:1 with the {where} ({other}) on {scheme} screens; "
                        f"WCAG AA needs {AA_TEXT}:1, so pick a {'darker' if scheme == 'light' else 'lighter'} shade",
                    )
                )
                break
    return problems


def theme_style(course: Course) -> str:
    """The custom properties player.css reads (``--theme-accent``, ``--theme-accent-dark``, ``--font``)."""
    parts = [f"--font: {FONTS[course.theme.font]}"]
    if course.theme.accent:
        parts.append(f"--theme-accent: {course.theme.accent}")
    if course.theme.accent_dark:
        parts.append(f"--theme-accent-dark: {course.theme.accent_dark}")
    return "; ".join(parts)
