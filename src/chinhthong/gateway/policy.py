"""What the gateway does with each verdict, beyond the headers every message gets.

A province rolls out in steps (docs/mail-gateway.md): headers only (``--banner none``), then
banners (the default: impersonation and malicious), then quarantine or rejection of the worst.
A message the engine could not judge is never held back: it passes with a header saying so.
"""

from dataclasses import dataclass, field

from chinhthong.verify.results import Verdict

DEFAULT_BANNER = "impersonation,malicious"


class PolicyError(ValueError):
    pass


def verdicts(text: str, option: str) -> frozenset[Verdict]:
    """'impersonation,malicious' -> the verdicts; PolicyError naming the option and the word."""
    found = set()
    for word in (item.strip().lower() for item in text.split(",")):
        if not word or word == "none":
            continue
        try:
            found.add(Verdict(word))
        except ValueError:
            known = ", ".join(v.value for v in Verdict)
            raise PolicyError(f"{option}: {word!r} is not a verdict ({known})") from None
    return frozenset(found)


@dataclass(frozen=True)
class Policy:
    banner: frozenset[Verdict] = field(default_factory=lambda: verdicts(DEFAULT_BANNER, "--banner"))
    quarantine: frozenset[Verdict] = frozenset()
    reject: frozenset[Verdict] = frozenset()
    # Findings that get the banner whatever the verdict (marking.DANGEROUS_CODES: a `.pdf.exe`).
    banner_dangerous: bool = True
    # Authentication-Results fields the engine may believe: those the gateway's authenticating
    # milter wrote (its authserv-id). Empty: none, and no sender can be proven official.
    authserv_ids: frozenset[str] = frozenset()

    def __post_init__(self):
        if Verdict.OFFICIAL in self.quarantine | self.reject:
            raise PolicyError("official mail is never held back or refused")

    @classmethod
    def parse(cls, banner: str, quarantine: str, reject: str, authserv_ids: list[str]):
        return cls(
            banner=verdicts(banner, "--banner"),
            banner_dangerous=banner.strip().lower() != "none",  # none: headers only
            quarantine=verdicts(quarantine, "--quarantine"),
            reject=verdicts(reject, "--reject"),
            authserv_ids=frozenset(item.strip().lower() for item in authserv_ids if item.strip()),
        )
