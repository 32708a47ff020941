using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using RingCore.Node;

namespace RingCore.Hosting;

/// <summary>
/// Binds <see cref="RingNodeOptions"/> from the <c>RingCore</c> section of the host's
/// configuration: nested sections bind the per-concern options (<c>RingCore:Actors:TurnMessageLimit</c>),
/// time spans parse as <c>"00:00:30"</c>. Without a configuration in the container (a bare
/// <c>ServiceCollection</c>) the options keep their defaults.
/// </summary>
/// <remarks>
/// Unknown keys are ignored, not errors: the section is shared with the node daemon's own
/// settings, and a key a later version adds must not fail an older one. A value that does not
/// parse fails when the options are built (at host start), naming its path.
/// </remarks>
internal sealed class RingNodeOptionsBinding(IConfiguration? configuration = null) : IConfigureOptions<RingNodeOptions>
{
    public void Configure(RingNodeOptions options)
    {
        if (configuration is not null)
        {
            configuration.GetSection(RingNodeOptionsRules.Section).Bind(options);
        }
    }
}
