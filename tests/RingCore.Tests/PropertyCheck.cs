using FsCheck;
using FsCheck.Fluent;

namespace RingCore.Tests;

/// <summary>
/// Runs FsCheck properties the same way everywhere: a fixed minimum of cases (500, as the ring
/// issue asks), throwing on failure with FsCheck's replay seed in the message. Set
/// RINGCORE_REPLAY="seed,gamma" (numbers from a failure message) to rerun that exact case, and
/// RINGCORE_PROPERTY_RUNS to run more cases in a soak.
/// </summary>
internal static class PropertyCheck
{
    public const int DefaultRuns = 500;

    public static void Run(Property property, int runs = DefaultRuns)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(Runs(runs));
        string? replay = Environment.GetEnvironmentVariable("RINGCORE_REPLAY");
        if (!string.IsNullOrWhiteSpace(replay))
        {
            var parts = replay.Trim('(', ')', ' ').Split(',');
            config = config.WithReplay(ulong.Parse(parts[0].Trim()), ulong.Parse(parts[1].Trim()));
        }

        Check.One(config, property);
    }

    public static int Runs(int runs) =>
        int.TryParse(Environment.GetEnvironmentVariable("RINGCORE_PROPERTY_RUNS"), out int soak) && soak > runs ? soak : runs;
}
