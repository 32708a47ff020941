using RingCore.Replication;
using RingCore.TestKit.Schedules;
using Xunit.Abstractions;

namespace RingCore.PartitionTests;

public sealed class SmokeTests2(ITestOutputHelper output)
{
    [Fact]
    public void Many_schedules()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int failed = 0;
        int from = int.Parse(Environment.GetEnvironmentVariable("FROM") ?? "1");
        for (int seed = from; seed < from + 300; seed++)
        {
            var verdict = ScheduleRunner.Run(ScheduleGenerator.Generate(seed));
            if (!verdict.Passed)
            {
                failed++;
                output.WriteLine(verdict.ToString().Split('\n').Take(4).Aggregate((a, b) => a + "\n" + b));
            }
        }

        output.WriteLine($"{watch.ElapsedMilliseconds} ms, {failed} failed");
    }
}
