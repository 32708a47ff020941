using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using RingCore.Membership;

namespace RingCore.Benchmarks.Membership;

/// <summary>
/// The phi-accrual failure detector's cost per heartbeat and per check (issue 13, point 6): a node
/// records a heartbeat from each peer every 250 ms and computes each peer's φ every 100 ms, so in
/// a 100-member ring that is 396 heartbeats and 990 φ a second. Both must allocate nothing: the
/// allocated column must read "-".
/// </summary>
/// <remarks>
/// The detector has the node's defaults and a full history (200 intervals) of slightly irregular
/// heartbeats, so a heartbeat also drops the oldest interval. <c>Heartbeat</c> includes what the
/// node does on every arrival: φ at that moment (whether to record the interval), then the
/// record. <c>Phi</c> is the check's work for one peer.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class PhiAccrualBenchmarks
{
    private PhiAccrualFailureDetector _detector = null!;
    private TimeSpan _now;
    private int _jitter;

    /// <summary>A detector with the defaults and 400 heartbeats behind it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _detector = new PhiAccrualFailureDetector(new FailureDetectionOptions());
        for (int i = 0; i < 400; i++)
        {
            Next();
            _detector.Heartbeat(_now);
        }
    }

    /// <summary>One heartbeat arrives, 250 ms after the last give or take up to 15 ms.</summary>
    [Benchmark]
    public void Heartbeat()
    {
        Next();
        _detector.Heartbeat(_now);
    }

    /// <summary>φ of the peer 1 s after its last heartbeat (what the check computes for each peer).</summary>
    [Benchmark]
    public double Phi() => _detector.Phi(_now + TimeSpan.FromSeconds(1));

    private void Next()
    {
        _jitter = (_jitter + 7) % 31; // a fixed pattern of -15..15 ms, no Random in the measured loop
        _now += TimeSpan.FromMilliseconds(250 + _jitter - 15);
    }

    private sealed class Config : BenchmarkConfig
    {
        public Config()
            : base(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("PhiAccrual"))
        {
        }
    }
}
