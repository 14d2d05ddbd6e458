"""What a check answers: a verdict, the reasons behind it, and the channels involved."""

from enum import StrEnum
from typing import NamedTuple


class Verdict(StrEnum):
    OFFICIAL = "official"
    IMPERSONATION = "impersonation"
    MALICIOUS = "malicious"
    SUSPICIOUS = "suspicious"
    UNKNOWN = "unknown"


# A whole message takes the worst verdict of its parts; official outranks unknown so that a
# message whose only identified part is official reads as official.
RANK = {
    Verdict.MALICIOUS: 4,
    Verdict.IMPERSONATION: 3,
    Verdict.SUSPICIOUS: 2,
    Verdict.OFFICIAL: 1,
    Verdict.UNKNOWN: 0,
}


class ChannelRef(NamedTuple):  # a tuple: hashed in C when answers look up its cached dict
    slug: str
    name: str
    kind: str
    status: str
    agency: str
    agency_name: str
    identifier: str
    url: str

    def to_dict(self) -> dict:
        return {
            "slug": self.slug,
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "agency": self.agency,
            "agency_name": self.agency_name,
            "identifier": self.identifier,
            "url": self.url,
        }


# Reasons and results are made for every check and kept in caches: tuples, which are built
# several times faster than frozen dataclasses and equally immutable (bench/url_batch.py).
class Reason(NamedTuple):
    """One finding; ``code`` is stable, the message comes from verify/reasons.py."""

    code: str
    verdict: Verdict
    params: tuple[tuple[str, str], ...] = ()

    @property
    def params_dict(self) -> dict[str, str]:
        return dict(self.params)

    def to_dict(self, message: str | None = None) -> dict:
        data = {"code": self.code, "verdict": str(self.verdict)}
        if message is not None:
            data["message"] = message
        data["params"] = self.params_dict
        return data


def reason(code: str, verdict: Verdict, **params: str) -> Reason:
    return Reason(code, verdict, tuple(sorted((k, str(v)) for k, v in params.items())))


class Result(NamedTuple):
    input: str
    kind: str
    verdict: Verdict
    reasons: tuple[Reason, ...] = ()
    channel: ChannelRef | None = None
    lookalike_of: ChannelRef | None = None
    parts: tuple["Result", ...] = ()

    def to_dict(self, render=None, *, reason_dict=None, channel_dict=None) -> dict:
        """JSON-ready (the API's shape); ``render(reason) -> str`` supplies each reason's
        message. A caller that reuses dicts between answers passes its own builders."""
        reason_dict = reason_dict or (lambda r: r.to_dict(render(r) if render else None))
        channel_dict = channel_dict or ChannelRef.to_dict
        return {
            "input": self.input,
            "kind": self.kind,
            "verdict": str(self.verdict),
            "reasons": [reason_dict(r) for r in self.reasons],
            "channel": channel_dict(self.channel) if self.channel else None,
            "lookalike_of": channel_dict(self.lookalike_of) if self.lookalike_of else None,
            "parts": [
                p.to_dict(render, reason_dict=reason_dict, channel_dict=channel_dict)
                for p in self.parts
            ],
        }


def worst(verdicts) -> Verdict:
    return max(verdicts, key=RANK.__getitem__, default=Verdict.UNKNOWN)


def decide(
    input_: str, kind: str, reasons: list[Reason], channel=None, lookalike_of=None, parts=()
) -> Result:
    """The verdict is the worst verdict any reason or part supports."""
    verdict = worst([r.verdict for r in reasons] + [p.verdict for p in parts])
    if lookalike_of is None and verdict is Verdict.IMPERSONATION:
        lookalike_of = next((p.lookalike_of for p in parts if p.lookalike_of), None)
    if channel is None and verdict is Verdict.OFFICIAL:
        channel = next((p.channel for p in parts if p.channel), None)
    return Result(input_, kind, verdict, tuple(reasons), channel, lookalike_of, tuple(parts))
