"""`python -m chinhthong …` is the `chinhthong` command."""

from chinhthong.config.cli import main

main()
