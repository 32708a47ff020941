using RingCore.TestKit.Simulation;

namespace RingCore.Tests.TestKit;

/// <summary>The deterministic simulation's parts: virtual time, the seeded scheduler, and the driver's stuck and timeout detection.</summary>
public sealed class SimulatorTests
{
    [Fact]
    public void Virtual_time_fires_timers_in_due_order_repeats_periodic_ones_and_forgets_disposed_ones()
    {
        var time = new VirtualTimeProvider();
        var fired = new List<string>();
        using var late = time.CreateTimer(_ => fired.Add("late"), null, TimeSpan.FromMilliseconds(30), Timeout.InfiniteTimeSpan);
        using var periodic = time.CreateTimer(_ => fired.Add($"tick@{time.Elapsed.TotalMilliseconds}"), null, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10));
        var cancelled = time.CreateTimer(_ => fired.Add("cancelled"), null, TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);
        cancelled.Dispose();
        var moved = time.CreateTimer(_ => fired.Add("moved"), null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        moved.Change(TimeSpan.FromMilliseconds(25), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromMilliseconds(35));

        Assert.Equal(["tick@10", "tick@20", "moved", "late", "tick@30"], fired);
        Assert.Equal(TimeSpan.FromMilliseconds(35), time.Elapsed);
        Assert.True(time.AdvanceToNextTimer()); // the periodic timer, at 40 ms
        Assert.Equal(TimeSpan.FromMilliseconds(40), time.Elapsed);
    }

    [Fact]
    public void The_scheduler_runs_ready_work_in_an_order_that_the_seed_fixes()
    {
        string Order(int seed)
        {
            var scheduler = new SimulationScheduler(seed);
            var ran = new List<int>();
            for (int i = 0; i < 20; i++)
            {
                int item = i;
                scheduler.Post(_ => ran.Add(item), null);
            }

            while (scheduler.RunNext())
            {
            }

            return string.Join(",", ran);
        }

        Assert.Equal(Order(7), Order(7));
        Assert.NotEqual(Order(7), Order(8));
        Assert.Equal(20, Order(9).Split(',').Distinct().Count());
    }

    [Fact]
    public void A_body_that_waits_on_something_nothing_completes_is_reported_stuck_not_hung()
    {
        var simulator = new Simulator(1);
        var never = new TaskCompletionSource<int>();
        var error = Assert.Throws<InvalidOperationException>(() => simulator.Run(async () => await never.Task, TimeSpan.FromMinutes(1)));
        Assert.Contains("stuck", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_that_outlives_its_limit_of_virtual_time_times_out_at_once_in_real_time()
    {
        var simulator = new Simulator(1);
        using var ticking = simulator.Time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var never = new TaskCompletionSource<int>();
        Assert.Throws<TimeoutException>(() => simulator.Run(async () => await never.Task, TimeSpan.FromHours(2)));
        Assert.True(simulator.Time.Elapsed > TimeSpan.FromHours(2));
    }

    [Fact]
    public void Awaits_in_the_body_resume_on_the_simulation_thread_and_virtual_delays_take_no_real_time()
    {
        var simulator = new Simulator(3);
        int thread = Environment.CurrentManagedThreadId;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var threads = simulator.Run(async () =>
        {
            var seen = new List<int>();
            for (int i = 0; i < 5; i++)
            {
                await simulator.Delay(TimeSpan.FromMinutes(10));
                seen.Add(Environment.CurrentManagedThreadId);
            }

            return seen;
        }, TimeSpan.FromHours(1));

        Assert.All(threads, t => Assert.Equal(thread, t));
        Assert.Equal(TimeSpan.FromMinutes(50), simulator.Time.Elapsed);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(0, simulator.Scheduler.ForeignPosts);
    }
}
