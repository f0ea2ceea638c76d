"""`gather_rows`: rows of a bank in the bank's own layout."""

import torch

from engine.layout import gather_rows


def test_gathered_rows_equal_indexing_and_stay_channels_last():
    bank = torch.randn(20, 5, 3, 4).contiguous(memory_format=torch.channels_last)  # (N, C, H, W)
    index = torch.tensor([7, 0, 7, 19])
    rows = gather_rows(bank, index)
    torch.testing.assert_close(rows, bank[index], rtol=0, atol=0)
    assert rows.shape == (4, 5, 3, 4) and rows.is_contiguous(memory_format=torch.channels_last)


def test_rows_of_a_standard_layout_tensor_are_gathered_as_they_are():
    bank = torch.randn(6, 2, 3, 3)
    index = torch.tensor([5, 1])
    rows = gather_rows(bank, index)
    torch.testing.assert_close(rows, bank[index], rtol=0, atol=0)
    assert rows.is_contiguous()
