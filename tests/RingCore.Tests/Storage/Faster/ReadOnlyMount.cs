using System.Diagnostics;

namespace RingCore.Tests.Storage.Faster;

/// <summary>
/// Makes a directory read-only the way a read-only mount does (a read-only bind mount of the
/// directory onto itself; root only), and undoes it on dispose. Permissions cannot stand in:
/// root writes through them.
/// </summary>
internal sealed class ReadOnlyMount : IAsyncDisposable
{
    private readonly string _path;

    private ReadOnlyMount(string path)
    {
        _path = path;
    }

    public static async Task<ReadOnlyMount> CreateAsync(string path)
    {
        await RunAsync("mount", "--bind", path, path);
        var mount = new ReadOnlyMount(path);
        try
        {
            await RunAsync("mount", "-o", "remount,ro,bind", path);
        }
        catch
        {
            await mount.DisposeAsync();
            throw;
        }

        return mount;
    }

    public async ValueTask DisposeAsync() => await RunAsync("umount", _path);

    private static async Task RunAsync(string command, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {command}");
        string errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors}");
        }
    }
}
