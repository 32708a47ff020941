namespace RingCore.IntegrationTests.Processes;

/// <summary>Where the solution's build put the programs the tests run (ringd, ringctl): beside this test assembly's configuration and framework.</summary>
internal static class Built
{
    public static string Root { get; } = FindRoot();

    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    public static string Ringd => Program(Path.Combine("src", "RingCore.Node"), "ringd.dll");

    public static string RingCtl => Program(Path.Combine("tools", "ringctl"), "ringctl.dll");

    private static string Program(string project, string dll)
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string path = Path.Combine(Root, project, "bin", tfm.Parent!.Name, tfm.Name, dll);
        Assert.True(File.Exists(path), $"{dll} is not built at {path}; build the solution (dotnet build RingCore.sln).");
        return path;
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RingCore.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No RingCore.sln above {AppContext.BaseDirectory}.");
    }
}
