"""A person's decisions over time: every rule month by month over a window, the days they
change and why (``build``); the ``tongcheng timeline`` command (``command``)."""

from tongcheng.timeline.build import (
    Change,
    RuleTimeline,
    Segment,
    Timeline,
    TimelineError,
    Why,
    build,
    month_end,
)

__all__ = ["Change", "RuleTimeline", "Segment", "Timeline", "TimelineError", "Why", "build",
           "month_end"]
