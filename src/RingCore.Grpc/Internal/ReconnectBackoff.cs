using System.Diagnostics;

namespace RingCore.Grpc;

/// <summary>
/// How long a peer connection waits before dialing again: doubling from the minimum to the cap
/// after each failed attempt, back to the minimum once a stream was up, each wait drawn between
/// half and all of its step ("equal jitter", so that nodes restarted together do not dial in step).
/// </summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private TimeSpan _step;

    public ReconnectBackoff(TimeSpan min, TimeSpan max, Random random)
    {
        Debug.Assert(min > TimeSpan.Zero && max >= min, "The options' validation keeps 0 < min <= max.");
        _min = min;
        _max = max;
        _random = random;
        _step = min;
    }

    /// <summary>The wait before the next attempt; the step after it doubles, up to the cap.</summary>
    public TimeSpan Next()
    {
        var step = _step;
        _step = step >= _max / 2 ? _max : step * 2;
        return step / 2 + step / 2 * _random.NextDouble();
    }

    /// <summary>Back to the minimum (a stream was up, so the next failure is a new outage).</summary>
    public void Reset() => _step = _min;
}
