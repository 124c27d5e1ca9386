"""A GRU encoder-decoder with attention over packed, padded sequences (reversing digit strings)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

PAD, SOS, EOS = 0, 1, 2
VOCAB, HIDDEN, MAX_LEN = 8, 24, 7


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size):
        super(EncoderRNN, self).__init__()
        self.embedding = nn.Embedding(input_size, hidden_size, padding_idx=PAD)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden_size, hidden_size)

    def forward(self, src, lengths):
        embedded = self.embedding(src)
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        packed_out, hidden = self.gru(packed)
        outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=src.size(1))
        outputs = self.fc(outputs)
        hidden = torch.tanh(self.fc(torch.cat((hidden[-2], hidden[-1]), dim=1))).unsqueeze(0)
        return outputs, hidden


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size):
        super(BahdanauAttention, self).__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys, mask):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)
        scores = scores.masked_fill(~mask.unsqueeze(1), -1e9)
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size):
        super(AttnDecoderRNN, self).__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, encoder_outputs, encoder_hidden, mask, target_tensor):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS)
        decoder_hidden = encoder_hidden
        decoder_outputs = []
        for i in range(target_tensor.size(1)):
            embedded = self.embedding(decoder_input)
            query = decoder_hidden.permute(1, 0, 2)
            context, _ = self.attention(query, encoder_outputs, mask)
            output, decoder_hidden = self.gru(torch.cat((embedded, context), dim=2), decoder_hidden)
            decoder_outputs.append(self.out(output))
            decoder_input = target_tensor[:, i].unsqueeze(1)  # teacher forcing
        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        return F.log_softmax(decoder_outputs, dim=-1), decoder_hidden


def build():
    encoder, decoder = EncoderRNN(VOCAB, HIDDEN), AttnDecoderRNN(HIDDEN, VOCAB)
    params = list(encoder.parameters()) + list(decoder.parameters())
    return {"encoder": encoder, "decoder": decoder, "optimizer": torch.optim.Adam(params, lr=1e-2),
            "criterion": nn.NLLLoss(ignore_index=PAD)}


def modules(state):
    return {"encoder": state["encoder"], "decoder": state["decoder"]}


def batches(rng, n):
    out = []
    for _ in range(n):
        lengths = rng.integers(2, MAX_LEN - 1, 6)
        seqs = [rng.integers(3, VOCAB, k) for k in lengths]
        out.append((seqs, [s[::-1].copy() for s in seqs]))
    return out


def step(state, batch):
    encoder, decoder, optimizer = state["encoder"], state["decoder"], state["optimizer"]
    src = pad_sequence([torch.tensor(s) for s in batch[0]], batch_first=True, padding_value=PAD)
    tgt = pad_sequence([torch.tensor(list(t) + [EOS]) for t in batch[1]], batch_first=True, padding_value=PAD)
    lengths = torch.tensor([len(s) for s in batch[0]])
    mask = src != PAD
    optimizer.zero_grad()
    encoder_outputs, encoder_hidden = encoder(src, lengths)
    decoder_outputs, _ = decoder(encoder_outputs, encoder_hidden, mask, tgt)
    loss = state["criterion"](decoder_outputs.view(-1, decoder_outputs.size(-1)), tgt.view(-1))
    loss.backward()
    nn.utils.clip_grad_norm_(list(encoder.parameters()) + list(decoder.parameters()), 5.0)
    optimizer.step()
    return loss.item()
