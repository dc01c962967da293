# English pages keep the dates, times and numbers of Vietnam.
from market40.formats.vi.formats import *  # noqa: F403
