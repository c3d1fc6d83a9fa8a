"""Order channel clients, one per channel: pure request/response mapping apart from the one
function that does HTTP, plus request and webhook signing."""
