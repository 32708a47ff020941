using FsCheck.Xunit;
using Xunit.Sdk;

namespace RingCore.Tests;

/// <summary>
/// An FsCheck.Xunit property run the way every property in this suite runs (see
/// <see cref="PropertyCheck"/>): <see cref="PropertyCheck.DefaultRuns"/> cases, more in a soak
/// (RINGCORE_PROPERTY_RUNS), and exactly the failing case again when RINGCORE_REPLAY="seed,gamma"
/// holds the numbers a failure printed.
/// </summary>
/// <remarks>
/// The method returns FsCheck's <c>Property</c>, built with the same <c>Prop.ForAll</c> and
/// generators a <see cref="PropertyCheck.Run"/> call would take. The settings come from the
/// environment, which attribute arguments cannot read, so the constructor sets them and
/// FsCheck.Xunit reads them off the attribute. Do not set <c>MaxTest</c> or <c>Replay</c> on a
/// use of it: the argument would override the soak and the replay. A property that asserts on
/// figures gathered over the whole run (not per case) stays a <c>[Fact]</c> calling
/// <see cref="PropertyCheck.Run"/>, since a <c>[Property]</c> has no code after the last case.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[XunitTestCaseDiscoverer("FsCheck.Xunit.PropertyDiscoverer", "FsCheck.Xunit")]
internal sealed class RingPropertyAttribute : PropertyAttribute
{
    public RingPropertyAttribute()
    {
        MaxTest = PropertyCheck.Runs(PropertyCheck.DefaultRuns);
        if (PropertyCheck.ReplayFromEnvironment() is { } replay)
        {
            Replay = replay;
        }
    }
}
