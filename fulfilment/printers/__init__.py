"""Printers: the registry (a ZPL thermal printer over raw TCP, a CUPS queue, or the browser's print
dialog), the packing stations (a browser, remembered by a signed cookie) with their label and
document printers, and print jobs (labels, packing slips, pick lists and batch files sent to a
printer by a job on the ``documents`` queue, with the result kept on a ``PrintJob``).

Modules: ``models`` (imported by ``fulfilment.models``), ``transport`` (the bytes to a printer),
``render`` (a document's bytes for a printer), ``services`` (writes), ``selectors`` (reads),
``stations`` (the station cookie), ``jobs``, ``views``, ``api``."""
