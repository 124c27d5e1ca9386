"""Transformer layers: ``TransformerEncoderLayer``/``Encoder``, ``TransformerDecoderLayer``/``Decoder``,
``Transformer``; PyTorch's submodule names, so its state dicts load.

PyTorch's inference fast path (nested tensors, which zero the outputs at padded
positions in eval mode) is not reproduced: outputs there are what the regular
path computes.
"""

from __future__ import annotations

import copy
import math
import warnings

import autograd as ag

from .. import functional as F
from .. import init
from .activation import GELU, ReLU
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = [
    "TransformerEncoderLayer",
    "TransformerEncoder",
    "TransformerDecoderLayer",
    "TransformerDecoder",
    "Transformer",
]


def _get_activation_fn(activation):
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if isinstance(activation, str):
        raise RuntimeError(f"activation should be relu/gelu, not {activation}")
    return activation


def _generate_square_subsequent_mask(sz, device=None, dtype=None):
    """``(sz, sz)`` float mask: ``-inf`` above the diagonal, 0 elsewhere."""
    i = ag.arange(sz, device=device)
    return ag.zeros((sz, sz), dtype=dtype, device=device).masked_fill(
        i.unsqueeze(0) > i.unsqueeze(1), -math.inf
    )


def _detect_is_causal_mask(mask, is_causal=None, size=None):
    """``is_causal`` if given, else whether ``mask`` equals the square subsequent mask."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.shape[-2]
        causal = _generate_square_subsequent_mask(sz, device=mask.device, dtype=mask.dtype)
        make_causal = tuple(mask.shape) == tuple(causal.shape) and bool((mask == causal).all())
    return make_causal


def _why_not_nested(layer):
    """Why PyTorch's ``TransformerEncoder`` would not use nested tensors for ``layer`` ('' if it would)."""
    if not isinstance(layer, TransformerEncoderLayer):
        return "encoder_layer was not TransformerEncoderLayer"
    attn, act = layer.self_attn, layer.activation
    reasons = (
        (layer.norm_first, "encoder_layer.norm_first was True"),
        (not attn.batch_first, "encoder_layer.self_attn.batch_first was not True(use batch_first for better "
                               "inference performance)"),
        (not attn._qkv_same_embed_dim, "encoder_layer.self_attn._qkv_same_embed_dim was not True"),
        (attn.in_proj_bias is None, "encoder_layer.self_attn was passed bias=False"),
        (not (act is F.relu or act is F.gelu or isinstance(act, (ReLU, GELU))),
         "encoder_layer.activation_relu_or_gelu was not True"),
        (layer.norm1.eps != layer.norm2.eps,
         "encoder_layer.norm1.eps was not equal to encoder_layer.norm2.eps"),
        (attn.num_heads % 2 == 1, "encoder_layer.self_attn.num_heads is odd"),
    )
    return next((why for bad, why in reasons if bad), "")


def _fast_path_params(layer):
    attn = layer.self_attn
    return (attn.in_proj_weight, attn.in_proj_bias, attn.out_proj.weight, attn.out_proj.bias,
            layer.norm1.weight, layer.norm1.bias, layer.norm2.weight, layer.norm2.bias,
            layer.linear1.weight, layer.linear1.bias, layer.linear2.weight, layer.linear2.bias)


def _get_clones(module, n):
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _seq_len(x, batch_first):
    return x.shape[1 if batch_first and x.ndim == 3 else 0]


class _LayerBase(Module):
    """What the encoder and decoder layers share: the feed-forward block and the activation."""

    def __init__(self, d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                 norm_first, bias, device, dtype, cross):
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        mha = dict(dropout=dropout, bias=bias, batch_first=batch_first, **kw)
        self.self_attn = MultiheadAttention(d_model, nhead, **mha)
        if cross:
            self.multihead_attn = MultiheadAttention(d_model, nhead, **mha)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        norms = 3 if cross else 2
        for i in range(1, norms + 1):
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw))
        for i in range(1, norms + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = _get_activation_fn(activation)

    def _ff_block(self, x, drop):
        return drop(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def _attend(self, attn, drop, x, mem, attn_mask, key_padding_mask, is_causal):
        """``drop(attn(x, kv, kv))``: ``kv = mem``, or ``x`` (self-attention) when ``mem`` is None."""
        kv = x if mem is None else mem
        return drop(
            attn(
                x,
                kv,
                kv,
                attn_mask=attn_mask,
                key_padding_mask=key_padding_mask,
                is_causal=is_causal,
                need_weights=False,
            )[0]
        )


class TransformerEncoderLayer(_LayerBase):
    """Self-attention and a feed-forward network, each with a residual connection and LayerNorm.

    Args:
        d_model: features of the input. nhead: attention heads.
        dim_feedforward: hidden size of the feed-forward network. Default: 2048.
        dropout: Default: 0.1. activation: ``'relu'``, ``'gelu'`` or a callable. Default: relu.
        layer_norm_eps: Default: 1e-5. batch_first: ``(N, L, E)`` inputs. Default: False.
        norm_first: LayerNorm before (not after) each block. Default: False.
        bias: biases in the linear layers and LayerNorms. Default: True.

    Example::

        >>> layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32)
        >>> layer(ag.randn(10, 2, 16)).shape
        (10, 2, 16)
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, device=None,
                 dtype=None):
        super().__init__(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                         norm_first, bias, device, dtype, cross=False)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        """Shape: src ``(S, N, E)`` (``(N, S, E)`` batch first); masks as :class:`MultiheadAttention`."""
        x = src
        sa = self.self_attn
        if self.norm_first:
            x = x + self._attend(
                sa, self.dropout1, self.norm1(x), None, src_mask, src_key_padding_mask, is_causal
            )
            x = x + self._ff_block(self.norm2(x), self.dropout2)
        else:
            x = self.norm1(
                x + self._attend(sa, self.dropout1, x, None, src_mask, src_key_padding_mask, is_causal)
            )
            x = self.norm2(x + self._ff_block(x, self.dropout2))
        return x


class TransformerDecoderLayer(_LayerBase):
    """Self-attention, attention over the encoder's memory and a feed-forward network.

    Arguments as :class:`TransformerEncoderLayer`.

    Example::

        >>> layer = nn.TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32)
        >>> layer(ag.randn(7, 2, 16), ag.randn(10, 2, 16)).shape
        (7, 2, 16)
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, device=None,
                 dtype=None):
        super().__init__(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                         norm_first, bias, device, dtype, cross=True)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        """Shape: tgt ``(T, N, E)``, memory ``(S, N, E)`` (batch first with ``batch_first``)."""
        x = tgt
        sa, ca = self.self_attn, self.multihead_attn
        if self.norm_first:
            x = x + self._attend(
                sa, self.dropout1, self.norm1(x), None, tgt_mask, tgt_key_padding_mask, tgt_is_causal
            )
            x = x + self._attend(
                ca,
                self.dropout2,
                self.norm2(x),
                memory,
                memory_mask,
                memory_key_padding_mask,
                memory_is_causal,
            )
            x = x + self._ff_block(self.norm3(x), self.dropout3)
        else:
            x = self.norm1(
                x + self._attend(sa, self.dropout1, x, None, tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            )
            x = self.norm2(
                x
                + self._attend(
                    ca, self.dropout2, x, memory, memory_mask, memory_key_padding_mask, memory_is_causal
                )
            )
            x = self.norm3(x + self._ff_block(x, self.dropout3))
        return x


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer``, then the optional ``norm``.

    Example::

        >>> layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32)
        >>> nn.TransformerEncoder(layer, num_layers=2)(ag.randn(10, 2, 16)).shape
        (10, 2, 16)
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_not_nested(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn("enable_nested_tensor is True, but self.use_nested_tensor is False because "
                          f"{why_not}", stacklevel=2)
            self.use_nested_tensor = False

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        """Run every layer on ``src`` (``is_causal`` is detected from ``mask`` when None).

        Where PyTorch's inference fast path packs ``src`` into a nested tensor (``use_nested_tensor``,
        eval mode, no gradient needed, a padding mask and no ``mask``), the padded positions of the
        output are zeros (before ``norm``), as PyTorch's.
        """
        batch_first = self.layers[0].self_attn.batch_first if len(self.layers) else False
        is_causal = _detect_is_causal_mask(mask, is_causal, _seq_len(src, batch_first))
        padded = self._nested_padding(src, mask, src_key_padding_mask)
        if padded is not None:  # the nested tensor holds the first (count of unmasked) tokens of each row
            src_key_padding_mask = padded
        output = src
        for mod in self.layers:
            output = mod(
                output, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask
            )
        if padded is not None:
            output = output.masked_fill(padded.unsqueeze(-1), 0.0)
        return self.norm(output) if self.norm is not None else output

    def _nested_padding(self, src, mask, key_padding_mask):
        """The ``(N, S)`` positions PyTorch's nested-tensor fast path leaves out, or None off that path."""
        if not getattr(self, "use_nested_tensor", False) or not len(self.layers) or mask is not None:
            return None
        first = self.layers[0]
        if first.training or src.ndim != 3 or key_padding_mask is None or key_padding_mask.ndim != 2:
            return None
        if ag.is_grad_enabled() and any(
            t is not None and t.requires_grad for t in (src, *_fast_path_params(first))
        ):
            return None
        kept = ~key_padding_mask if key_padding_mask.dtype == ag.bool else key_padding_mask == 0
        left = ag.arange(kept.shape[1], device=kept.device).unsqueeze(0) < kept.sum(1, keepdim=True)
        if self.mask_check and not bool((left == kept).all()):
            return None  # PyTorch's mask_check: padding only at the end of each row
        return ~left


class TransformerDecoder(Module):
    """A stack of ``num_layers`` copies of ``decoder_layer``, then the optional ``norm``.

    Example::

        >>> layer = nn.TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32)
        >>> nn.TransformerDecoder(layer, 2)(ag.randn(7, 2, 16), ag.randn(10, 2, 16)).shape
        (7, 2, 16)
    """

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        """Run every layer on ``tgt`` attending to ``memory``."""
        batch_first = self.layers[0].self_attn.batch_first if len(self.layers) else False
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, _seq_len(tgt, batch_first))
        output = tgt
        for mod in self.layers:
            output = mod(
                output,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_is_causal,
                memory_is_causal=memory_is_causal,
            )
        return self.norm(output) if self.norm is not None else output


class Transformer(Module):
    """The encoder-decoder transformer of "Attention Is All You Need".

    Args:
        d_model: Default 512. nhead: Default 8. num_encoder_layers, num_decoder_layers: Default 6.
        dim_feedforward: Default 2048. dropout: Default 0.1. activation: Default relu.
        custom_encoder, custom_decoder: used instead of the default stacks.
        layer_norm_eps, batch_first, norm_first, bias: as :class:`TransformerEncoderLayer`.

    Example::

        >>> model = nn.Transformer(d_model=16, nhead=4, num_encoder_layers=1, num_decoder_layers=1,
        ...                        dim_feedforward=32)
        >>> model(ag.randn(10, 2, 16), ag.randn(7, 2, 16)).shape
        (7, 2, 16)
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation=F.relu, custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        common = dict(
            dim_feedforward=dim_feedforward,
            dropout=dropout,
            activation=activation,
            layer_norm_eps=layer_norm_eps,
            batch_first=batch_first,
            norm_first=norm_first,
            bias=bias,
            **kw,
        )
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, **common)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, **common)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None,
                tgt_is_causal=None, memory_is_causal=False):
        """Encode ``src``, then decode ``tgt`` attending to the encoding."""
        batched = src.ndim == 3
        if not self.batch_first and src.shape[1] != tgt.shape[1] and batched:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if self.batch_first and src.shape[0] != tgt.shape[0] and batched:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """A float ``(sz, sz)`` mask with ``-inf`` above the diagonal (each position sees only the past)."""
        return _generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
