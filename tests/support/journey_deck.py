"""The journey deck: four files of every kind of card, and the edits of its second
version. The preview journey and the sync tests walk it with the real Anki engine."""

from __future__ import annotations

from tests.support.anki_support import AnkiUser
from tests.support.files_support import png

INDEX = """---
title: Journey
id: journey
description: A deck that changes between builds.
tags: [journey]
---
"""

BASICS_V1 = """The deck's map: ![map](img/map.png)

## Basics
<!-- id: basics -->

A legend for this section: ![legend](img/legend.png)

### What is the capital of France?

Pariss.

### Which HTTP status means "not found"?

404.

### Idempotent
<!-- kind: reversed -->

Has the same effect however many times it is applied.

### What does TCP guarantee?

Ordered, reliable delivery.

### What colour is this square?

![a square](img/square.png)

Red.

### Which port does HTTPS use?

443.

### What is a socket?

An endpoint of a connection: an address and a port.
"""

MORE_V1 = """## More
<!-- id: more -->

### Handshake
<!-- kind: cloze -->

First {{SYN}}, then {{SYN-ACK}}, then {{ACK}}.

### What are DNS and DHCP for?

DNS turns names into addresses; DHCP hands out addresses.

### What is a GET request for?

Reading a resource.

### Is GET safe?

Yes: it changes nothing on the server.

### A card that will be removed

Goodbye.
"""

TOOLS_V1 = """## Tools
<!-- id: tools -->

### How do you list files with details?

```bash
ls -la
```

### Which command shows the route to a host?

traceroute.
"""

# Round one: seventeen kinds of edit.
BASICS_V2 = """The deck's map: ![map](img/map.png)

## Basics
<!-- id: basics -->

A legend for this section: ![legend](img/legend.png)

### Idempotent

Has the same effect however many times it is applied.

### What is the capital of France?

Paris.

### Which HTTP status code says a resource was not found?

404.

### What does TCP guarantee?
<!-- kind: reversed -->

Ordered, reliable delivery.

### What colour is this square?

![a square](img/square.png)

Red.

### What is a socket?
<!-- id: socket; tags: sockets -->

An endpoint of a connection: an address and a port.
"""

MORE_V2 = """## More networking
<!-- id: more -->

### Handshake
<!-- kind: cloze -->

First {{SYN}}, then {{SYN-ACK}}, then {{ACK}}, then {{data}}.

### What is DNS for?
<!-- id: dns; was: what-are-dns-and-dhcp-for -->

DNS turns names into addresses.

### What is DHCP for?

DHCP hands out addresses.

### What is a GET request for?

Reading a resource. GET is safe: it changes nothing on the server.

### Which port does HTTPS use?

443.

### What does UDP stand for?

User Datagram Protocol.
"""

TOOLS_V2 = """## Tools
<!-- id: tools -->

### Which command shows the route to a host?
<!-- tags: diagnostics -->

traceroute.

### How do you list files with details?
<!-- id: ls-long; was: how-do-you-list-files-with -->

```bash
ls -la
```
"""


def anki_states(anki: AnkiUser) -> dict[int, tuple[int, ...]]:
    """Every card's scheduling, by Anki's own card id."""
    return {
        card.id: (card.type, card.queue, card.due, card.ivl, card.reps, card.lapses, card.factor)
        for card in anki.cards()
    }


FILES_V1: dict[str, str | bytes] = {
    "index.md": INDEX,
    "10-basics.md": BASICS_V1,
    "20-more.md": MORE_V1,
    "30-tools.md": TOOLS_V1,
    "img/square.png": png(4, 4, (220, 20, 20)),
    "img/map.png": png(6, 3, (20, 20, 220)),
    "img/legend.png": png(3, 3, (20, 120, 20)),
}
"""The first version, as written before the first build."""
