namespace RingCore.Tools.RingCtl;

/// <summary>
/// Finds the ringd to start (<c>devcluster up</c>): <c>--ringd PATH</c>, else $RINGCTL_RINGD, else
/// the copy the build puts in ringctl's output (<c>daemon/ringd.dll</c>, see ringctl.csproj), else
/// ringd.dll next to ringctl, else the repository's own build
/// (<c>src/RingCore.Node/bin/&lt;configuration&gt;/&lt;tfm&gt;/ringd.dll</c>, found by walking up from
/// ringctl's directory), so that it works from a fresh clone after <c>dotnet build RingCore.sln</c>,
/// under <c>dotnet run</c> and from a test host.
/// </summary>
internal static class RingdLocator
{
    public const string Variable = "RINGCTL_RINGD";

    public static string Find(string? option)
    {
        if (option is not null)
        {
            return File.Exists(option) ? Path.GetFullPath(option) : throw new UsageException($"--ringd: {DisplayText.Quote(option)} does not exist.");
        }

        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } variable)
        {
            return File.Exists(variable) ? Path.GetFullPath(variable) : throw new UsageException($"${Variable}: {DisplayText.Quote(variable)} does not exist.");
        }

        string baseDirectory = AppContext.BaseDirectory;
        foreach (string candidate in new[] { Path.Combine(baseDirectory, "daemon", "ringd.dll"), Path.Combine(baseDirectory, "ringd.dll") })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var binTfm = new DirectoryInfo(baseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string? configuration = binTfm.Parent?.Name;
        for (var directory = binTfm.Parent; directory is not null && configuration is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "src", "RingCore.Node", "bin", configuration, binTfm.Name, "ringd.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new UsageException($"ringd not found: build it (dotnet build RingCore.sln), or give --ringd PATH/ringd.dll or ${Variable}.");
    }

    /// <summary>The dotnet host that runs a .dll: the one running ringctl when it is dotnet, else $DOTNET_HOST_PATH, else dotnet on the PATH.</summary>
    public static string DotnetHost()
    {
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }
}
