"""The budget of every request (clients/budget.py), enforced before any view — or the CSRF
check, which parses form bodies — reads its body."""

from chinhthong.clients.budget import ADMITTED, DECIDED, admit, respond


class RequestBudgetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (400, 404) and not _counted(request):
            # No view answered (an address no view has, a Host this site does not answer to),
            # so process_view never ran: count it now.
            refusal = admit(request, None)
            if refusal is not ADMITTED:
                return respond(request, refusal)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The server decided already for a request whose body it held back (config/asgi.py).
        decided = request.META.get(DECIDED)
        refusal = decided if decided is not None else admit(request, view_func)
        return None if refusal is ADMITTED else respond(request, refusal)


def _counted(request) -> bool:
    return request.META.get(DECIDED) is not None or hasattr(request, "rate_limit_group")
