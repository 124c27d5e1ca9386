"""Text classification (in the style of the PyTorch EmbeddingBag tutorial, with a recurrent branch):
a bag-of-words EmbeddingBag over flat token lists with offsets, a bidirectional GRU over padded
sequences packed with enforce_sorted=False, the two features concatenated, cross-entropy, SGD with
StepLR and gradient clipping."""
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

VOCAB, EMBED, HIDDEN, CLASSES = 20, 8, 6, 3


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.token_emb = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.gru = nn.GRU(embed_dim, HIDDEN, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(embed_dim + 2 * HIDDEN, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets, padded, lengths):
        bag = self.embedding(text, offsets)
        packed = pack_padded_sequence(self.token_emb(padded), lengths, batch_first=True, enforce_sorted=False)
        out, h = self.gru(packed)
        unpacked, _ = pad_packed_sequence(out, batch_first=True)
        last = torch.cat([h[-2], h[-1]], dim=1)
        assert unpacked.shape[1] == int(lengths.max())
        return self.fc(torch.cat([bag, last], dim=1))


def collate_batch(batch):
    label_list, text_list, offsets, seqs = [], [], [0], []
    for _label, _text in batch:
        label_list.append(_label)
        processed_text = torch.tensor(_text, dtype=torch.int64)
        text_list.append(processed_text)
        seqs.append(processed_text)
        offsets.append(processed_text.size(0))
    label_list = torch.tensor(label_list, dtype=torch.int64)
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    text_list = torch.cat(text_list)
    lengths = torch.tensor([len(s) for s in seqs])
    return label_list, text_list, offsets, pad_sequence(seqs, batch_first=True), lengths


def build():
    model = TextClassificationModel(VOCAB, EMBED, CLASSES)
    optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
    return {"model": model, "optimizer": optimizer, "criterion": torch.nn.CrossEntropyLoss(),
            "scheduler": torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.9)}


def modules(state):
    return {"model": state["model"]}


def batches(rng, n):
    words = [rng.integers(1, VOCAB, 5) for _ in range(CLASSES)]  # each class draws from its own words
    out = []
    for _ in range(2):
        batch = []
        for _ in range(8):
            label = int(rng.integers(0, CLASSES))
            batch.append((label, [int(w) for w in rng.choice(words[label], int(rng.integers(1, 7)))]))
        out.append(batch)
    return [out[i % 2] for i in range(n)]


def step(state, batch):
    model, optimizer, criterion = state["model"], state["optimizer"], state["criterion"]
    model.train()
    label, text, offsets, padded, lengths = collate_batch(batch)
    optimizer.zero_grad()
    predicted_label = model(text, offsets, padded, lengths)
    loss = criterion(predicted_label, label)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
    optimizer.step()
    state["scheduler"].step()
    return loss.item()


def demo(state):
    model = state["model"]
    model.eval()
    with torch.no_grad():
        _, text, offsets, padded, lengths = collate_batch([(0, [1, 2, 3]), (0, [4, 5]), (0, [9, 9, 9, 9])])
        return model(text, offsets, padded, lengths).argmax(1).numpy()
