using Microsoft.Extensions.Options;
using RingCore.Node;

namespace RingCore.Hosting;

/// <summary>
/// Validates <see cref="RingNodeOptions"/> by the one list of rules (<see cref="RingNodeOptionsRules"/>),
/// reporting every problem, not the first, each naming its setting by configuration path
/// (<c>RingCore:Actors:TurnMessageLimit must be from 1 to 1000000 (got 0).</c>). Registered with
/// <c>ValidateOnStart</c>, so a bad value fails the host's start rather than the first request.
/// </summary>
internal sealed class RingNodeOptionsValidator : IValidateOptions<RingNodeOptions>
{
    public ValidateOptionsResult Validate(string? name, RingNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = RingNodeOptionsRules.Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
