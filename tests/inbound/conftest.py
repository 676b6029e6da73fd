"""The real Dovecot fixture (`imap_server`) lives in tests/conftest.py, for
the intake tests of tests/consultations too."""
