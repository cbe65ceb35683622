from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vnemis.core.http import AuthedRequest, paginate
from vnemis.digital import access, services
from vnemis.digital.forms import DigitalProfileForm
from vnemis.digital.services import FACT_FIELDS


@login_required
def profile_history(request: AuthedRequest, code: str) -> HttpResponse:
    """A school's or site's digital-transformation facts over time, and the entry form."""
    unit = access.profile_unit_get_for_user(user=request.user, code=code)
    can_write = (
        access.profile_units_for_user(user=request.user, write=True).filter(pk=unit.pk).exists()
    )
    latest = unit.digital_profiles.order_by("-valid_from", "-id").first()
    initial = {f: getattr(latest, f) for f in FACT_FIELDS} if latest else {}
    form = DigitalProfileForm(request.POST or None, initial=initial)
    if request.method == "POST":
        access.profile_unit_get_for_user(user=request.user, code=code, write=True)
        if form.is_valid():
            data = form.cleaned_data
            services.digital_profile_record(
                unit=unit,
                valid_from=data["valid_from"],
                by=request.user,
                note=data["note"],
                **{f: data[f] for f in FACT_FIELDS},
            )
            messages.success(request, _("The facts were recorded; the history is kept."))
            return redirect("digital:profile_history", code=code)
    history = unit.digital_profiles.select_related("recorded_by").order_by("-valid_from", "-id")
    return render(
        request,
        "digital/profile_history.html",
        {
            "unit": unit,
            "form": form,
            "can_write": can_write,
            "page": paginate(request, history, per_page=20),
        },
    )
