"""The demand: queue exports → arrivals per slot → forecasts, peaks, service profiles and required windows."""

from forecasts.arrivals import count_arrivals
from forecasts.backtest import backtest, summarize
from forecasts.models import CalendarModel, HistoricalAverage, SeasonalNaive
from forecasts.peaks import add_labels, summarize_peaks
from forecasts.queueing import erlang_a, erlang_c
from forecasts.service import ServiceProfile, estimate_profiles
from forecasts.staffing import build_demand, requirements_frame
from forecasts.tickets import read_tickets
from forecasts.weekly import forecast_week

__all__ = [
    "CalendarModel",
    "HistoricalAverage",
    "SeasonalNaive",
    "ServiceProfile",
    "add_labels",
    "backtest",
    "build_demand",
    "count_arrivals",
    "erlang_a",
    "erlang_c",
    "estimate_profiles",
    "forecast_week",
    "read_tickets",
    "requirements_frame",
    "summarize",
    "summarize_peaks",
]
