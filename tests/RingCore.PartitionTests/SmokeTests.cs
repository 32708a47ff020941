using RingCore.Replication;
using RingCore.TestKit.Schedules;
using Xunit.Abstractions;

namespace RingCore.PartitionTests;

public sealed class SmokeTests(ITestOutputHelper output)
{
    [Fact]
    public void Diagnose()
    {
        int seed = int.Parse(Environment.GetEnvironmentVariable("SEED") ?? "23");
        var verdict = ScheduleRunner.Run(ScheduleGenerator.Generate(seed));
        output.WriteLine(string.Join("\n", verdict.Violations));
        var key = Environment.GetEnvironmentVariable("KEY") ?? "k0";
        foreach (var step in verdict.Schedule.Steps.Where(s => s.IsFault))
        {
            output.WriteLine("FAULT " + step);
        }

        foreach (var op in verdict.History.Where(o => o.Step.Key == key))
        {
            output.WriteLine($"{op} count={op.Count} written={op.Written} superseded=[{string.Join(",", op.Superseded)}] observed=[{string.Join(",", op.Observed)}]");
        }
    }
}
