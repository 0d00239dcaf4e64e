from . import attachment
