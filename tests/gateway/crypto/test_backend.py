"""Backend selection, self-tests, quiet failure and the ctypes layer's resource handling."""

from __future__ import annotations

import resource
import threading

import pytest

from gateway.crypto import backend
from gateway.crypto.errors import BackendUnavailableError
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey, Sm2Signature


def test_defaults_are_the_fastest_self_tested_backends() -> None:
    assert backend.default_sign_backend().name == backend.available_sign_backends()[0]
    assert backend.default_verify_backend().name == backend.available_verify_backends()[0]
    assert "gmssl-pyx" not in backend.available_verify_backends()


def test_unknown_backend_names_are_typed_errors() -> None:
    with pytest.raises(BackendUnavailableError):
        backend.sign_backend("hsm")
    with pytest.raises(BackendUnavailableError):
        backend.verify_backend("gmssl-pyx")


def test_a_backend_that_signs_wrongly_fails_its_self_test() -> None:
    class Broken(backend.PythonSm2):
        name = "broken"

        def sign_digest(self, key: object, digest: bytes) -> tuple[int, int]:
            r, s = super().sign_digest(key, digest)
            return r, s ^ 1

    with pytest.raises(BackendUnavailableError):
        backend._self_test_sign(Broken())


def test_a_backend_that_accepts_everything_fails_its_self_test() -> None:
    class Gullible(backend.PythonSm2):
        name = "gullible"

        def verify_digest(self, key: object, digest: bytes, r: int, s: int) -> bool:
            return True

    with pytest.raises(BackendUnavailableError):
        backend._self_test_verify(Gullible())


def test_failed_verification_writes_nothing_to_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    key = Sm2PrivateKey.generate()
    signature = key.sign(b"m")
    for _ in range(5):
        assert not key.public_key.verify(b"tampered", signature)
    assert not key.public_key.verify(b"m", Sm2Signature(signature.r, 1))
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_describe_names_backends_and_versions() -> None:
    info = backend.describe()
    assert info["sm2_sign_backend"] == backend.default_sign_backend().name
    assert info["sm2_verify_backend"] == backend.default_verify_backend().name


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.slow
def test_openssl_layer_does_not_leak() -> None:
    """Thousands of loaded keys and failed verifications (which fill OpenSSL's error queue)
    must not grow the process: EVP objects are freed and the error queue cleared."""
    try:
        signer = backend.sign_backend("openssl")
        from gateway.crypto._openssl import OpenSslSm2
    except BackendUnavailableError:
        pytest.skip("OpenSSL backend unavailable")
    openssl = OpenSslSm2()
    openssl.CACHE_SIZE = 2  # evict (and so free) loaded public keys all the time
    keys = [Sm2PrivateKey.generate(backend=signer) for _ in range(8)]
    signed = [(key, key.sign(b"m")) for key in keys]

    def churn(rounds: int) -> None:
        for index in range(rounds):
            key, good = signed[index % len(signed)]
            public = Sm2PublicKey.from_bytes(key.public_key.to_bytes(), backend=openssl)
            assert public.verify(b"m", good)
            assert not public.verify(b"m", Sm2Signature(good.r, good.s ^ 1))
            Sm2PrivateKey.from_bytes(key.to_bytes(), backend=signer).sign(b"m")

    churn(100)
    before = _rss_kib()
    churn(500)
    assert _rss_kib() - before < 1024


def test_one_key_verifies_concurrently_from_threads() -> None:
    key = Sm2PrivateKey.generate()
    public = Sm2PublicKey.from_bytes(key.public_key.to_bytes())
    signature = key.sign(b"shared")
    results: list[bool] = []

    def work() -> None:
        for index in range(50):
            message = b"shared" if index % 2 == 0 else b"other"
            results.append(public.verify(message, signature) == (index % 2 == 0))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 200 and all(results)
