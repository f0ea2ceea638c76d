"""The fast path of back-distillation (a bank of precomputed draws and the adapter's transpose in
closed form) computes the same thing as the naive path, and reaches the same error."""

import pytest
import torch

from engine import Adapter, GraftConfig, Task, TeacherConfig, graft, train_teacher
from engine.config import ReluSurrogate
from engine.pseudograd import LinearSurrogate, adapter_transpose


@pytest.mark.parametrize("layers,kernel", [(1, 3), (3, 3), (3, 1)])
def test_the_closed_form_transpose_matches_autograd_through_the_linearised_adapter(layers, kernel):
    torch.manual_seed(0)
    adapter = Adapter(6, 6, layers=layers, kernel_size=kernel, permutation=torch.randperm(6), beta=1.7)
    upstream = torch.randn(4, 6, 5, 5)  # (B, C_out, h, w)
    reference = LinearSurrogate(adapter, ReluSurrogate.FIRST).pseudo_gradient(upstream, (4, 6, 5, 5))
    torch.testing.assert_close(adapter_transpose(adapter, upstream), reference, rtol=1e-5, atol=1e-6)


def test_every_conv_weight_gets_a_gradient_through_the_closed_form_transpose():
    torch.manual_seed(0)
    adapter = Adapter(4, 4, layers=3, kernel_size=3, permutation=torch.randperm(4))
    adapter_transpose(adapter, torch.randn(2, 4, 6, 6)).pow(2).sum().backward()
    for conv in adapter.convs:
        assert conv.weight.grad is not None and conv.weight.grad.abs().sum() > 0
        assert torch.isfinite(conv.weight.grad).all()


@pytest.fixture(scope="module")
def one_thread():
    """One thread: these tiny convolutions gain nothing from two, and on a busy CPU two cost several
    times more."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def cat_teacher(one_thread):
    """Two epochs on the full cat problem: about 10% error, good enough for errors to mean something."""
    return train_teacher(TeacherConfig(category="cat", epochs=2, device="cpu"))


def test_zero_sample_fast_and_naive_paths_reach_the_same_error(cat_teacher):
    category, task = cat_teacher.category, cat_teacher.tasks[Task.CLASSIFICATION]
    # From PyTorch's small random start this problem converges within 200 steps (from the identity start
    # it needs several hundred more), which keeps the test short; the start does not touch what is
    # compared, the two paths' objectives.
    base = dict(
        samples=0,
        adapter_layers=1,
        kernel_size=3,
        steps=200,
        eval_every=200,
        batch_size=16,
        learning_rate=3e-3,
        adapter_init="pytorch",
        device="cpu",
    )
    fast = graft(GraftConfig(bank_size=1024, **base), category=category, task=task, teacher_task=task)
    naive = graft(GraftConfig(bank_size=0, **base), category=category, task=task, teacher_task=task)
    exact = graft(
        GraftConfig(samples=0, solver="least-squares", bank_size=512, device="cpu"),
        category=category,
        task=task,
        teacher_task=task,
    )
    teacher_error = cat_teacher.metrics[Task.CLASSIFICATION]["error"]
    assert teacher_error < 25.0  # the teacher has learned something, so matching it is not trivial
    # 400 test images: one image is 0.25 points; the two Adam paths differ only in which draws they see.
    assert abs(fast.metrics["error"] - naive.metrics["error"]) <= 2.0
    assert abs(fast.metrics["error"] - teacher_error) <= 2.0
    assert abs(exact.metrics["error"] - teacher_error) <= 2.0


class _RecordingSource:
    """Stands in for a PseudoGradientSource: records how many draws each chunk asks for."""

    def __init__(self, channels: int, size: tuple[int, int]) -> None:
        self.student_channels = self.teacher_channels = channels
        self.size, self.generator, self.chunks = size, torch.Generator().manual_seed(0), []

    def draw(self, batch: int):
        from engine.draws import Draw

        self.chunks.append(batch)
        zeros = torch.zeros(batch, self.teacher_channels, *self.size)
        return Draw(zeros, None, zeros, zeros)


@pytest.mark.parametrize(
    "channels,size,draws,chunks", [(16, (14, 14), 300, [128, 128, 44]), (64, (112, 112), 7, [3, 3, 1])]
)
def test_a_bank_computes_large_feature_maps_in_small_chunks(channels, size, draws, chunks):
    from engine.draws import DrawBank

    source = _RecordingSource(channels, size)
    assert len(DrawBank(source, draws)) == draws
    assert source.chunks == chunks  # vgg-mini's maps 128 at a time, vgg16's 3


def test_the_exact_solution_does_not_depend_on_how_the_draws_are_chunked(monkeypatch):
    import engine.least_squares as least_squares

    torch.manual_seed(0)
    upstream, teacher = torch.randn(40, 6, 5, 5), torch.randn(40, 6, 5, 5)
    solutions = []
    for chunk_bytes in (
        least_squares.CHUNK_BYTES,
        6 * 9 * 25 * 8 * 3,
    ):  # every draw at once, then 3 at a time
        monkeypatch.setattr(least_squares, "CHUNK_BYTES", chunk_bytes)
        adapter = Adapter(
            6,
            6,
            layers=1,
            kernel_size=3,
            permutation=torch.randperm(6, generator=torch.Generator().manual_seed(1)),
        )
        least_squares.solve_one_layer(adapter, upstream, teacher, alpha=1.3)
        solutions.append(adapter.convs[0].weight.detach().clone())
    torch.testing.assert_close(solutions[0], solutions[1], rtol=1e-6, atol=1e-8)
