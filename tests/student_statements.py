"""The first article's student network written as command-line statements, with the point
the command-line tests use (both ReLUs on: z1 = 0.8, z2 = 1.0; target y = 0)."""

NET = ("z1 = w1*x1 + w2*x2 + b1; h1 = relu(z1); z2 = w3*x1 + w4*x2 + b2; h2 = relu(z2); "
       "z3 = w5*h1 + w6*h2 + b3; y_hat = sigmoid(z3); "
       "L = -(y*log(y_hat) + (1 - y)*log(1 - y_hat))")
POINT = {"w1": 0.1, "w2": 0.1, "b1": 0.1, "w3": 0.2, "w4": 0.1, "b2": 0.1, "w5": 0.35,
         "w6": 0.15, "b3": 0.1, "x1": 2.0, "x2": 5.0, "y": 0.0}
AT = [f"{k}={v}" for k, v in POINT.items()]
