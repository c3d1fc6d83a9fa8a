"""Errors raised while building documents. Each message is written for the person who sees it."""


class DocumentError(ValueError):
    """A document cannot be built from what was given (bad input, a refused resource...)."""


class UnsafeURLError(DocumentError):
    """A document tried to load a resource from somewhere it may not (file://, the network...)."""


class BarcodeError(DocumentError):
    """A value cannot be printed as a scannable barcode."""


class BatchError(DocumentError):
    """Some items of a print batch are unusable; ``problems`` lists every one of them.

    Nothing is assembled when any item is bad, so a batch is never half printed.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} item{'s' if count != 1 else ''} of the batch cannot be printed"
        shown = "; ".join(self.problems[:10])
        more = f"; and {count - 10} more" if count > 10 else ""
        super().__init__(f"{head}: {shown}{more}")
