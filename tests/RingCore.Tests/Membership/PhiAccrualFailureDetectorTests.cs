using FsCheck;
using FsCheck.Fluent;
using RingCore.Membership;

namespace RingCore.Tests.Membership;

/// <summary>
/// The phi-accrual detector on a fake clock (time is an argument): Akka's published values
/// (akka-remote's AccrualFailureDetectorSpec), the history's bounds and what a late heartbeat does,
/// and properties over random heartbeat series checked against a naive recomputation.
/// </summary>
public sealed class PhiAccrualFailureDetectorTests
{
    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    /// <summary>Akka's spec's detector: threshold 8, 1000 samples, min deviation 10 ms, no pause, first estimate 1 s.</summary>
    private static PhiAccrualFailureDetector Akka(double threshold = 8, int maxSampleSize = 1000, double minStdDeviation = 10, double pause = 0,
        double firstEstimate = 1000) =>
        new(threshold, maxSampleSize, Ms(minStdDeviation), Ms(pause), Ms(firstEstimate));

    /// <summary>A detector with the node's defaults.</summary>
    private static PhiAccrualFailureDetector Defaults() => new(new FailureDetectionOptions());

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(500, 0.1)]
    [InlineData(1000, 0.3)]
    [InlineData(1200, 1.6)]
    [InlineData(1400, 4.7)]
    [InlineData(1600, 10.8)]
    [InlineData(1700, 15.3)]
    public void Phi_has_Akkas_realistic_values_for_a_mean_of_1000_ms_and_a_deviation_of_100_ms(double timeDiff, double expected)
    {
        Assert.Equal(expected, PhiAccrualFailureDetector.Phi(timeDiff, mean: 1000, stdDeviation: 100), tolerance: 0.1); // Akka's +- 0.1
    }

    [Fact]
    public void A_larger_deviation_gives_a_lower_phi_and_phi_grows_with_the_time_since_the_last_heartbeat()
    {
        Assert.True(PhiAccrualFailureDetector.Phi(1100, 1000, 500) < PhiAccrualFailureDetector.Phi(1100, 1000, 100));
        double previous = -1;
        for (int diff = 0; diff <= 5000; diff += 10)
        {
            double phi = PhiAccrualFailureDetector.Phi(diff, 1000, 100);
            Assert.True(phi >= previous, $"phi fell from {previous} to {phi} at {diff} ms");
            previous = phi;
        }

        Assert.Equal(double.PositiveInfinity, PhiAccrualFailureDetector.Phi(100_000, 1000, 100)); // the tail underflows: certain
    }

    [Fact]
    public void Before_its_first_heartbeat_a_member_is_not_suspected_and_after_it_phi_follows_the_first_estimate()
    {
        var detector = Akka();
        Assert.False(detector.IsMonitoring);
        Assert.Equal(0, detector.Phi(Ms(1_000_000)));
        Assert.True(detector.IsAvailable(Ms(1_000_000)));

        detector.Heartbeat(Ms(0));
        Assert.True(detector.IsMonitoring);
        Assert.Equal(2, detector.SampleCount); // the estimate's two starter intervals, 750 and 1250 ms
        Assert.Equal(1000, detector.MeanInterval);
        Assert.Equal(250, detector.StdDeviation);
        Assert.Equal(0.3, detector.Phi(Ms(1000)), 0.2); // Akka: "return phi based on guess when only one heartbeat"
        Assert.Equal(4.5, detector.Phi(Ms(2000)), 0.3);
        Assert.True(detector.Phi(Ms(3000)) > 15);
    }

    [Fact]
    public void Regular_heartbeats_keep_a_member_available_and_missed_ones_make_it_suspected()
    {
        var detector = Akka();
        var now = Ms(0);
        foreach (double interval in new double[] { 0, 1000, 100, 100 })
        {
            now += Ms(interval);
            detector.Heartbeat(now);
        }

        Assert.True(detector.IsAvailable(now + Ms(100)));
        Assert.False(detector.IsAvailable(now + Ms(7000)));
    }

    [Fact]
    public void The_acceptable_pause_lets_heartbeats_stop_that_long_beyond_the_mean_before_suspicion_grows()
    {
        var strict = Akka();
        var lenient = Akka(pause: 3000);
        for (int i = 0; i <= 10; i++)
        {
            strict.Heartbeat(Ms(i * 1000));
            lenient.Heartbeat(Ms(i * 1000));
        }

        var quiet = Ms(10_000 + 1000 + 3000); // the mean, then three seconds more
        Assert.False(strict.IsAvailable(quiet));
        Assert.True(lenient.IsAvailable(quiet));
        Assert.False(lenient.IsAvailable(quiet + Ms(3000)));
    }

    [Fact]
    public void With_the_defaults_and_heartbeats_every_250_ms_phi_reaches_8_about_1_8_s_after_the_last_heartbeat()
    {
        // mean 250 + pause 1000 + 5.22 x the minimum deviation of 100 (the intervals are exact, so
        // the history's own deviation is 0 once the estimate's starter intervals have aged out).
        var detector = Defaults();
        var now = TimeSpan.Zero;
        for (int i = 0; i < 300; i++)
        {
            detector.Heartbeat(now);
            now += Ms(250);
        }

        var last = now - Ms(250);
        Assert.Equal(200, detector.SampleCount);
        Assert.Equal(250, detector.MeanInterval);
        Assert.Equal(0, detector.StdDeviation);
        Assert.True(detector.IsAvailable(last + Ms(1750)), $"phi {detector.Phi(last + Ms(1750))} at 1.75 s");
        Assert.False(detector.IsAvailable(last + Ms(1800)), $"phi {detector.Phi(last + Ms(1800))} at 1.8 s");
    }

    [Fact]
    public void A_heartbeat_after_phi_crossed_the_threshold_restarts_the_clock_but_is_not_recorded()
    {
        var detector = Defaults();
        for (int i = 0; i < 20; i++)
        {
            detector.Heartbeat(Ms(i * 250));
        }

        double mean = detector.MeanInterval;
        int samples = detector.SampleCount;
        var late = Ms(19 * 250 + 10_000);
        Assert.False(detector.IsAvailable(late));
        detector.Heartbeat(late);

        Assert.Equal(samples, detector.SampleCount); // the 10 s pause would have skewed the history
        Assert.Equal(mean, detector.MeanInterval);
        Assert.True(detector.IsAvailable(late + Ms(250)));
        Assert.Equal(late, detector.LastHeartbeat);
    }

    [Fact]
    public void The_history_keeps_only_the_last_max_sample_size_intervals()
    {
        var detector = Akka(maxSampleSize: 3, pause: 1000); // the pause keeps the longer intervals available, so they are recorded
        var now = TimeSpan.Zero;
        foreach (double interval in new double[] { 0, 100, 100, 100, 100, 600, 1000, 1000, 1000 })
        {
            now += Ms(interval);
            detector.Heartbeat(now);
        }

        Assert.Equal(3, detector.SampleCount); // the starter intervals, the 100s and the 600 have aged out
        Assert.Equal(1000, detector.MeanInterval);
        Assert.Equal(0, detector.StdDeviation);
    }

    [Fact]
    public void Bad_settings_are_refused_by_name()
    {
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => Akka(threshold: 0)).ParamName);
        Assert.Equal("maxSampleSize", Assert.Throws<ArgumentOutOfRangeException>(() => Akka(maxSampleSize: 1)).ParamName);
        Assert.Equal("minStdDeviation", Assert.Throws<ArgumentOutOfRangeException>(() => Akka(minStdDeviation: 0)).ParamName);
        Assert.Equal("acceptableHeartbeatPause", Assert.Throws<ArgumentOutOfRangeException>(() => Akka(pause: -1)).ParamName);
        Assert.Equal("firstHeartbeatEstimate", Assert.Throws<ArgumentOutOfRangeException>(() => Akka(firstEstimate: 0)).ParamName);
    }

    [RingProperty]
    public Property The_running_mean_and_deviation_equal_a_recomputation_over_the_kept_intervals_and_phi_never_falls_while_no_heartbeat_arrives()
    {
        var series =
            from maxSampleSize in Gen.Choose(2, 12)
            from intervals in Gen.ListOf(Gen.Choose(0, 4000)).Select(list => list.ToArray())
            select (maxSampleSize, intervals);
        return Prop.ForAll(series.ToArbitrary(), input =>
        {
            var (maxSampleSize, intervals) = input;
            var detector = Akka(maxSampleSize: maxSampleSize, minStdDeviation: 100, pause: 500, firstEstimate: 1000);
            var kept = new List<long> { 750, 1250 }; // the estimate's starter intervals
            var now = TimeSpan.Zero;
            detector.Heartbeat(now);
            foreach (int interval in intervals)
            {
                now += Ms(interval);
                bool recorded = detector.IsAvailable(now); // a late heartbeat is not recorded
                detector.Heartbeat(now);
                if (recorded)
                {
                    kept.Add(interval);
                }

                var window = kept.Skip(Math.Max(0, kept.Count - maxSampleSize)).ToArray();
                double mean = window.Average();
                double deviation = Math.Sqrt(window.Average(i => (i - mean) * (i - mean)));
                if (detector.SampleCount != window.Length || Math.Abs(detector.MeanInterval - mean) > 1e-6
                    || Math.Abs(detector.StdDeviation - deviation) > 1e-3)
                {
                    return false.Label($"after {interval} ms: {detector.SampleCount} samples, mean {detector.MeanInterval}, deviation {detector.StdDeviation}; expected {window.Length}, {mean}, {deviation}");
                }
            }

            double previous = 0;
            for (int wait = 0; wait <= 20_000; wait += 50)
            {
                double phi = detector.Phi(now + Ms(wait));
                if (phi < previous)
                {
                    return false.Label($"phi fell from {previous} to {phi} at {wait} ms");
                }

                previous = phi;
            }

            return (detector.IsAvailable(now) && !detector.IsAvailable(now + Ms(20_000 * 10))).Label("available at once, suspected after a long silence");
        });
    }
}
