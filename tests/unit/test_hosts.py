import pytest

from tenancy.hosts import normalise_host


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("alpha.test", "alpha.test"),
        ("ALPHA.Test", "alpha.test"),
        ("alpha.test.", "alpha.test"),
        ("alpha.test:5000", "alpha.test"),
        ("Alpha.Test.:8080", "alpha.test"),
        ("localhost", "localhost"),
    ],
)
def test_host_is_normalised(raw, expected):
    assert normalise_host(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", None, "127.0.0.1", "127.0.0.1:5000", "[::1]", "[::1]:5000", "alpha..test", "-alpha.test",
            "al pha.test", "alpha_test", "é.test", "a" * 64 + ".test", "alpha.test/evil", "alpha.test@beta.test"],
)
def test_ip_literals_and_malformed_hosts_are_rejected(raw):
    assert normalise_host(raw) is None
