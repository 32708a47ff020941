using System.Diagnostics;
using System.Text;

namespace RingCore.Tests.Storage.Faster;

/// <summary>
/// The packages <c>dotnet pack</c> makes can be used: a fresh app outside the repository restores
/// and builds against RingCore.Storage.Faster (issue 12: a downgraded dependency, NU1605, made
/// the restore fail).
/// </summary>
/// <remarks>
/// Offline and quick: the libraries are packed from the build this test runs in (no rebuild),
/// under a version no real release uses, into a temporary folder that is the app's extra package
/// source. Everything else comes from the sources configured on this machine, and the machine's
/// package folder is a fallback folder, so packages restored for the repository are not fetched
/// again and the test writes nothing into that folder.
/// </remarks>
public sealed class FasterPackageRestoreTests : IDisposable
{
    private const string PackageVersion = "0.0.0-restoretest";

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_fresh_app_restores_and_builds_against_the_packed_library()
    {
        string repository = RepositoryRoot();
        string feed = Path.Combine(_directory.Path, "feed");
        foreach (string project in new[] { "src/RingCore/RingCore.csproj", "src/RingCore.Storage.Faster/RingCore.Storage.Faster.csproj" })
        {
            var pack = await DotnetAsync(repository, "pack", Path.Combine(repository, project), "--no-build", "-c", Configuration, "-o", feed,
                "-p:PackageVersion=" + PackageVersion);
            Assert.True(pack.ExitCode == 0, $"dotnet pack {project} failed:\n{pack.Output}");
        }

        string app = WriteApp();
        var build = await DotnetAsync(app, "build", Path.Combine(app, "app.csproj"), "-c", "Debug");

        Assert.True(build.ExitCode == 0, $"A fresh app could not restore or build against the packages:\n{build.Output}");
        Assert.DoesNotContain("NU1605", build.Output);
    }

    /// <summary>A console app that references the packed backend and uses it, isolated from any Directory.*.props above it.</summary>
    private string WriteApp()
    {
        string app = Path.Combine(_directory.Path, "app");
        Directory.CreateDirectory(app);
        foreach (string isolation in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(_directory.Path, isolation), "<Project />\n");
        }

        string machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(_directory.Path, "NuGet.Config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(_directory.Path, "packages")}" />
              </config>
              <packageSources>
                <add key="ringcore-packed" value="{Path.Combine(_directory.Path, "feed")}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="RingCore.Storage.Faster" Version="{PackageVersion}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using RingCore.Storage.Faster;

            var provider = new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = "data" });
            Console.WriteLine(provider.GetType().Name);
            """);
        return app;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RingCore.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No RingCore.sln above {AppContext.BaseDirectory}.");
    }

    private static async Task<(int ExitCode, string Output)> DotnetAsync(string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The test host's MSBuild settings would leak into the child builds.
        startInfo.Environment.Remove("MSBuildExtensionsPath");
        startInfo.Environment.Remove("MSBuildSDKsPath");
        startInfo.Environment.Remove("MSBUILD_EXE_PATH");
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start dotnet");
        var output = new StringBuilder();
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} took over 5 minutes.");
        }

        output.Append(await standardOutput).Append(await standardError);
        return (process.ExitCode, output.ToString());
    }
}
