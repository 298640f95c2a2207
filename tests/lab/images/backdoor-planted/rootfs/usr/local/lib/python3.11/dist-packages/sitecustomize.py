# planted start-up module (fixture)
import os
