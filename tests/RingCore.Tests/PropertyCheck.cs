using FsCheck;
using FsCheck.Fluent;

namespace RingCore.Tests;

/// <summary>
/// Runs FsCheck properties the same way everywhere: a fixed minimum of cases (500, as the ring
/// issue asks), throwing on failure with FsCheck's replay seed in the message. Set
/// RINGCORE_REPLAY="seed,gamma" (numbers from a failure message) to rerun that exact case, and
/// RINGCORE_PROPERTY_RUNS to run more cases in a soak. Most properties use it through
/// <see cref="RingPropertyAttribute"/>; <see cref="Run"/> is for those that check figures
/// gathered over the whole run after the last case.
/// </summary>
internal static class PropertyCheck
{
    public const int DefaultRuns = 500;

    public static void Run(Property property, int runs = DefaultRuns)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(Runs(runs));
        if (ReplayFromEnvironment() is { } replay)
        {
            var parts = replay.Split(',');
            config = config.WithReplay(ulong.Parse(parts[0]), ulong.Parse(parts[1]));
        }

        Check.One(config, property);
    }

    public static int Runs(int runs) =>
        int.TryParse(Environment.GetEnvironmentVariable("RINGCORE_PROPERTY_RUNS"), out int soak) && soak > runs ? soak : runs;

    /// <summary>RINGCORE_REPLAY as "seed,gamma" (parentheses and spaces removed), or null when it is not set.</summary>
    public static string? ReplayFromEnvironment()
    {
        string? replay = Environment.GetEnvironmentVariable("RINGCORE_REPLAY");
        return string.IsNullOrWhiteSpace(replay)
            ? null
            : string.Concat(replay.Where(c => c is not ('(' or ')') && !char.IsWhiteSpace(c)));
    }
}
