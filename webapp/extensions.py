"""Flask extensions, created unbound and bound in `create_app`."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
mail = Mail()
