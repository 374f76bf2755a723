"""`audit` on micrograd's own engine (from PyPI): it names exactly the two bugs micrograd is
known for, and each is confirmed without audit, on micrograd itself and PyTorch float64."""

from __future__ import annotations

import pytest
import torch
from micrograd.engine import Value as MicroValue

from autograd import audit


@pytest.fixture(scope="module")
def report():
    return audit(MicroValue)


def test_micrograd_has_exactly_two_findings(report) -> None:
    assert sorted(f.kind for f in report.findings) == ["recursion", "stale"]
    assert "build_topo" in next(f.text for f in report.findings if f.kind == "recursion")
    failing = {p.code.split(";")[0] for p in report.probes if p.holds is False}
    assert failing == {"x = a", "out = (a * b) * c"}  # the chain, twice and zeroed


def test_the_recursion_is_real() -> None:
    x = MicroValue(0.5)
    for _ in range(5000):
        x = x * 1.0001
    with pytest.raises(RecursionError):
        x.backward()


def test_the_stale_gradients_are_real() -> None:
    # micrograd: backward() twice on a * b * c; PyTorch, retaining the graph, adds twice
    a, b, c = MicroValue(0.7), MicroValue(-1.3), MicroValue(0.4)
    out = (a * b) * c
    out.backward()
    out.backward()
    ta, tb, tc = (torch.tensor(v, dtype=torch.float64, requires_grad=True)
                  for v in (0.7, -1.3, 0.4))
    tout = (ta * tb) * tc
    tout.backward(retain_graph=True)
    tout.backward()
    assert a.grad == pytest.approx(1.5 * ta.grad.item(), rel=1e-12)  # 3× once, not 2×
    assert c.grad == pytest.approx(tc.grad.item(), rel=1e-12)  # c is one op deep: right
