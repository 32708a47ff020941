using System.Diagnostics;

namespace RingCore.Membership;

/// <summary>
/// The φ accrual failure detector of one monitored member (Hayashibara, Défago, Yared and
/// Katayama, "The φ Accrual Failure Detector", SRDS 2004), as Akka's <c>PhiAccrualFailureDetector</c>
/// computes it: instead of up or down it outputs a suspicion level φ = -log10(P(a heartbeat
/// arrives later than now)), from the mean and standard deviation of the last heartbeat
/// intervals; the caller compares φ with a threshold.
/// </summary>
/// <remarks>
/// <para>Pure: time comes in as an argument (any clock's elapsed time from a fixed origin), so a
/// test drives it with a fake clock and the node with its <see cref="TimeProvider"/>. Not
/// thread-safe: its owner (<see cref="HeartbeatFailureDetector"/>) serializes the calls.</para>
/// <para>Akka's choices, kept: the history starts with two intervals around
/// <c>firstHeartbeatEstimate</c> (mean ± a quarter of it), so the first heartbeats do not make a
/// deviation of zero; the acceptable pause is added to the mean; the deviation is at least
/// <c>minStdDeviation</c>; the normal distribution's tail is the logistic approximation
/// 1 / (1 + e^(y(1.5976 + 0.070566 y²))) (Bowling et al. 2009); a heartbeat that arrives after
/// φ crossed the threshold is not added to the history (that long pause would skew it) but
/// restarts the clock. Intervals are kept in whole milliseconds, as Akka keeps them, so the
/// running sums are exact integers and never drift.</para>
/// <para>Each heartbeat is O(1) and allocates nothing: the intervals live in a ring buffer of
/// <c>maxSampleSize</c> entries, with their sum and sum of squares kept alongside.</para>
/// </remarks>
internal sealed class PhiAccrualFailureDetector
{
    /// <summary>The longest interval recorded: longer ones count as this long, so the sum of squares cannot overflow.</summary>
    private const long MaxIntervalMilliseconds = 3_600_000;

    private readonly double _threshold;
    private readonly double _minStdDeviation; // ms
    private readonly double _acceptablePause; // ms
    private readonly long _firstEstimate;     // ms
    private readonly long[] _intervals;       // ms, a ring buffer: the last Count of them
    private int _next;
    private long _sum;
    private long _squaredSum;
    private TimeSpan _last;

    /// <summary>Creates a detector that has seen no heartbeat yet (<see cref="IsMonitoring"/> is false, φ is 0).</summary>
    public PhiAccrualFailureDetector(double threshold, int maxSampleSize, TimeSpan minStdDeviation, TimeSpan acceptableHeartbeatPause,
        TimeSpan firstHeartbeatEstimate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threshold);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSampleSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(minStdDeviation, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(acceptableHeartbeatPause, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(firstHeartbeatEstimate, TimeSpan.FromMilliseconds(1));
        _threshold = threshold;
        _minStdDeviation = minStdDeviation.TotalMilliseconds;
        _acceptablePause = acceptableHeartbeatPause.TotalMilliseconds;
        _firstEstimate = Math.Min((long)firstHeartbeatEstimate.TotalMilliseconds, MaxIntervalMilliseconds);
        _intervals = new long[maxSampleSize];
    }

    /// <summary>Creates a detector with the settings of <paramref name="options"/>.</summary>
    public PhiAccrualFailureDetector(FailureDetectionOptions options)
        : this(options.Threshold, options.MaxSampleSize, options.MinStdDeviation, options.AcceptableHeartbeatPause, options.FirstHeartbeatEstimate)
    {
    }

    /// <summary>Whether a heartbeat has arrived (before the first, φ is 0: a member never heard from is not suspected).</summary>
    public bool IsMonitoring { get; private set; }

    /// <summary>How many intervals the history holds (at most the sample size).</summary>
    public int SampleCount { get; private set; }

    /// <summary>The mean of the intervals in the history, in milliseconds (without the acceptable pause).</summary>
    public double MeanInterval => SampleCount == 0 ? 0 : (double)_sum / SampleCount;

    /// <summary>The standard deviation of the intervals in the history, in milliseconds (before the minimum is applied).</summary>
    public double StdDeviation
    {
        get
        {
            if (SampleCount == 0)
            {
                return 0;
            }

            double mean = (double)_sum / SampleCount;
            double variance = (double)_squaredSum / SampleCount - mean * mean;
            return variance > 0 ? Math.Sqrt(variance) : 0; // rounding can make a zero variance slightly negative
        }
    }

    /// <summary>When the last heartbeat arrived (meaningful once <see cref="IsMonitoring"/>).</summary>
    public TimeSpan LastHeartbeat => _last;

    /// <summary>Records a heartbeat that arrived at <paramref name="now"/>.</summary>
    public void Heartbeat(TimeSpan now)
    {
        if (!IsMonitoring)
        {
            // Akka's firstHeartbeat: two intervals a quarter of the estimate either side of it.
            long deviation = _firstEstimate / 4;
            Record(_firstEstimate - deviation);
            Record(_firstEstimate + deviation);
            IsMonitoring = true;
        }
        else if (IsAvailable(now))
        {
            long interval = (long)(now - _last).TotalMilliseconds;
            Record(Math.Clamp(interval, 0, MaxIntervalMilliseconds));
        }

        // A heartbeat after φ crossed the threshold is not recorded (the pause would skew the
        // history), but it restarts the clock either way. A clock that went back is not trusted.
        if (now > _last)
        {
            _last = now;
        }
    }

    /// <summary>The suspicion level at <paramref name="now"/>: 0 before the first heartbeat, and growing while none arrives.</summary>
    public double Phi(TimeSpan now)
    {
        if (!IsMonitoring)
        {
            return 0;
        }

        double timeDiff = (now - _last).TotalMilliseconds;
        double mean = (double)_sum / SampleCount;
        double variance = (double)_squaredSum / SampleCount - mean * mean;
        double deviation = Math.Max(variance > 0 ? Math.Sqrt(variance) : 0, _minStdDeviation);
        return Phi(timeDiff, mean + _acceptablePause, deviation);
    }

    /// <summary>Whether φ at <paramref name="now"/> is below the threshold.</summary>
    public bool IsAvailable(TimeSpan now) => Phi(now) < _threshold;

    /// <summary>
    /// φ for a heartbeat <paramref name="timeDiff"/> ms after the last one when intervals are
    /// normal with <paramref name="mean"/> and <paramref name="stdDeviation"/> (ms): -log10 of the
    /// tail probability, by the logistic approximation of the normal distribution (Akka's formula).
    /// </summary>
    internal static double Phi(double timeDiff, double mean, double stdDeviation)
    {
        Debug.Assert(stdDeviation > 0, "The deviation is at least the minimum, which is positive.");
        double y = (timeDiff - mean) / stdDeviation;
        double e = Math.Exp(-y * (1.5976 + 0.070566 * y * y));
        return timeDiff > mean
            ? -Math.Log10(e / (1.0 + e))
            : -Math.Log10(1.0 - 1.0 / (1.0 + e));
    }

    private void Record(long interval)
    {
        if (SampleCount == _intervals.Length)
        {
            long oldest = _intervals[_next];
            _sum -= oldest;
            _squaredSum -= oldest * oldest;
        }
        else
        {
            SampleCount++;
        }

        _intervals[_next] = interval;
        _sum += interval;
        _squaredSum += interval * interval;
        _next = _next + 1 == _intervals.Length ? 0 : _next + 1;
        Debug.Assert(_sum >= 0 && _squaredSum >= 0, "Sums of at most MaxSampleSize intervals of at most an hour fit a long.");
    }
}
