"""Record reference trajectories of the classic-control environments.

The step functions below are Gymnasium 1.x's CartPoleEnv.step,
MountainCarEnv.step and AcrobotEnv.step (gymnasium/envs/classic_control),
transcribed line by line with Python floats (IEEE double, the same as the
float64 state Gymnasium keeps) so that the recording needs neither numpy nor
gymnasium. Each trajectory starts from a fixed state and applies a fixed,
pseudo-random action sequence; rl's tests replay it and compare every state.

Run from the repository root:  python3 rl/testdata/gen_classic.py
(writes rl/testdata/classic.json; recorded with CPython 3.x, stdlib only).
"""
import json
import math
import random


def cartpole_step(state, action):
    gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    total_mass = masspole + masscart
    polemass_length = masspole * length
    theta_threshold_radians = 12 * 2 * math.pi / 360
    x_threshold = 2.4
    x, x_dot, theta, theta_dot = state
    force = force_mag if action == 1 else -force_mag
    costheta = math.cos(theta)
    sintheta = math.sin(theta)
    temp = (force + polemass_length * theta_dot**2 * sintheta) / total_mass
    thetaacc = (gravity * sintheta - costheta * temp) / (
        length * (4.0 / 3.0 - masspole * costheta**2 / total_mass))
    xacc = temp - polemass_length * thetaacc * costheta / total_mass
    x = x + tau * x_dot
    x_dot = x_dot + tau * xacc
    theta = theta + tau * theta_dot
    theta_dot = theta_dot + tau * thetaacc
    terminated = bool(x < -x_threshold or x > x_threshold
                      or theta < -theta_threshold_radians or theta > theta_threshold_radians)
    return [x, x_dot, theta, theta_dot], 1.0, terminated


def mountaincar_step(state, action):
    min_position, max_position, max_speed, goal_position, goal_velocity = -1.2, 0.6, 0.07, 0.5, 0
    force, gravity = 0.001, 0.0025
    position, velocity = state
    velocity += (action - 1) * force + math.cos(3 * position) * (-gravity)
    velocity = min(max(velocity, -max_speed), max_speed)
    position += velocity
    position = min(max(position, min_position), max_position)
    if position == min_position and velocity < 0:
        velocity = 0
    terminated = bool(position >= goal_position and velocity >= goal_velocity)
    return [position, velocity], -1.0, terminated


def acrobot_dsdt(s, a):
    m1 = m2 = l1 = 1.0
    lc1 = lc2 = 0.5
    I1 = I2 = 1.0
    g = 9.8
    theta1, theta2, dtheta1, dtheta2 = s
    pi = math.pi
    cos, sin = math.cos, math.sin
    d1 = m1 * lc1**2 + m2 * (l1**2 + lc2**2 + 2 * l1 * lc2 * cos(theta2)) + I1 + I2
    d2 = m2 * (lc2**2 + l1 * lc2 * cos(theta2)) + I2
    phi2 = m2 * lc2 * g * cos(theta1 + theta2 - pi / 2.0)
    phi1 = (-m2 * l1 * lc2 * dtheta2**2 * sin(theta2)
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - pi / 2) + phi2)
    ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1**2 * sin(theta2) - phi2) / (
        m2 * lc2**2 + I2 - d2**2 / d1)
    ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
    return [dtheta1, dtheta2, ddtheta1, ddtheta2]


def wrap(x, m, M):
    diff = M - m
    while x > M:
        x = x - diff
    while x < m:
        x = x + diff
    return x


def acrobot_step(s, action):
    torque = [-1.0, 0.0, 1.0][action]
    dt = 0.2
    dt2 = dt / 2.0
    add = lambda y, k, h: [yi + h * ki for yi, ki in zip(y, k)]
    k1 = acrobot_dsdt(s, torque)
    k2 = acrobot_dsdt(add(s, k1, dt2), torque)
    k3 = acrobot_dsdt(add(s, k2, dt2), torque)
    k4 = acrobot_dsdt(add(s, k3, dt), torque)
    ns = [s[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) for i in range(4)]
    ns[0] = wrap(ns[0], -math.pi, math.pi)
    ns[1] = wrap(ns[1], -math.pi, math.pi)
    ns[2] = min(max(ns[2], -4 * math.pi), 4 * math.pi)
    ns[3] = min(max(ns[3], -9 * math.pi), 9 * math.pi)
    terminated = bool(-math.cos(ns[0]) - math.cos(ns[1] + ns[0]) > 1.0)
    return ns, (0.0 if terminated else -1.0), terminated


def record(step, start, actions, policy=None, n=0):
    """Apply actions (or, with policy, n actions chosen from the state)."""
    states, rewards, terms = [], [], []
    s = list(start)
    if policy is not None:
        actions = []
    for i in range(n if policy is not None else len(actions)):
        if policy is not None:
            actions.append(policy(s))
        a = actions[i]
        s, r, t = step(s, a)
        states.append(s)
        rewards.append(r)
        terms.append(t)
        if t:
            break
    return {"start": start, "actions": actions[:len(states)], "states": states,
            "rewards": rewards, "terminated": terms}


def main():
    rng = random.Random(7)
    out = {
        "cartpole": [
            record(cartpole_step, [0.01, -0.02, 0.03, 0.04], [rng.randrange(2) for _ in range(60)]),
            record(cartpole_step, [0.0, 0.0, 0.0, 0.0], [1] * 100),  # falls over
            record(cartpole_step, [-0.04, 0.03, -0.02, 0.01], [0, 1] * 40),
        ],
        "mountaincar": [
            record(mountaincar_step, [-0.5, 0.0], [rng.randrange(3) for _ in range(150)]),
            record(mountaincar_step, [-1.15, -0.06], [0] * 5 + [2] * 5),  # hits the left wall
            # push along the velocity: reaches the flag
            record(mountaincar_step, [-0.5, 0.0], None, lambda s: 2 if s[1] >= 0 else 0, 200),
        ],
        "acrobot": [
            record(acrobot_step, [0.05, -0.03, 0.02, -0.01], [rng.randrange(3) for _ in range(120)]),
            record(acrobot_step, [3.0, 0.1, 12.0, 27.0], [2] * 10),  # wraps and clips
            # torque along the first joint's velocity: swings up
            record(acrobot_step, [0.0, 0.0, 0.0, 0.0], None, lambda s: 2 if s[2] >= 0 else 0, 500),
        ],
    }
    with open("rl/testdata/classic.json", "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
