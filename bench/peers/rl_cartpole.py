"""CartPole-v1 environment steps per second in a plain Python loop.

The step is Gymnasium's CartPoleEnv.step equations (Euler, tau 0.02), with
the same alternating-action, reset-at-episode-end loop as ember's
BenchmarkCartPoleStep (rl/bench_test.go), without numpy or gymnasium
(Gymnasium's own env adds numpy array creation and checks on top, so it is
slower than this loop).

Run: python3 bench/peers/rl_cartpole.py [steps]
Compare: go test ./rl -run '^$' -bench CartPoleStep -benchtime 2000000x
"""
import math
import random
import sys
import time

GRAVITY, MASSCART, MASSPOLE, LENGTH, FORCE_MAG, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
TOTAL_MASS = MASSPOLE + MASSCART
POLEMASS_LENGTH = MASSPOLE * LENGTH
THETA_THRESHOLD = 12 * 2 * math.pi / 360
X_THRESHOLD = 2.4


def reset(rng):
    return [rng.uniform(-0.05, 0.05) for _ in range(4)]


def step(state, action):
    x, x_dot, theta, theta_dot = state
    force = FORCE_MAG if action == 1 else -FORCE_MAG
    costheta = math.cos(theta)
    sintheta = math.sin(theta)
    temp = (force + POLEMASS_LENGTH * theta_dot**2 * sintheta) / TOTAL_MASS
    thetaacc = (GRAVITY * sintheta - costheta * temp) / (
        LENGTH * (4.0 / 3.0 - MASSPOLE * costheta**2 / TOTAL_MASS))
    xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS
    x = x + TAU * x_dot
    x_dot = x_dot + TAU * xacc
    theta = theta + TAU * theta_dot
    theta_dot = theta_dot + TAU * thetaacc
    terminated = x < -X_THRESHOLD or x > X_THRESHOLD or theta < -THETA_THRESHOLD or theta > THETA_THRESHOLD
    return [x, x_dot, theta, theta_dot], 1.0, terminated


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = random.Random(0)
    state = reset(rng)
    steps_in_episode = 0
    t0 = time.perf_counter()
    for i in range(n):
        state, _, terminated = step(state, i & 1)
        steps_in_episode += 1
        if terminated or steps_in_episode >= 500:
            state = reset(rng)
            steps_in_episode = 0
    dt = time.perf_counter() - t0
    print(f"python {sys.version.split()[0]}: {n} CartPole steps in {dt:.2f} s = {n / dt:,.0f} steps/s")


if __name__ == "__main__":
    main()
