using RingCore.Tools.RingCtl;

namespace RingCore.Tests.Tools;

/// <summary>One in-process run of ringctl: its exit code and what it wrote, plus readers for its tables.</summary>
internal sealed record RingCtlRun(int ExitCode, string Output, string Error)
{
    public static RingCtlRun Of(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = RingCtlApp.Run(args, output, error);
        return new RingCtlRun(exitCode, output.ToString(), error.ToString());
    }

    public string[] OutputLines => Lines(Output);

    public string[] ErrorLines => Lines(Error);

    /// <summary>
    /// The body rows of the first table after the line that starts with <paramref name="heading"/>,
    /// each as trimmed cells. Tables are Spectre's rounded ones: a header, a "├" rule, rows, "╰".
    /// </summary>
    public IReadOnlyList<string[]> TableAfter(string heading)
    {
        var lines = OutputLines;
        int index = Array.FindIndex(lines, l => l.StartsWith(heading, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no line starting with '{heading}' in:\n{Output}");
        while (!lines[index].StartsWith('├'))
        {
            index++;
        }

        var rows = new List<string[]>();
        for (index++; !lines[index].StartsWith('╰'); index++)
        {
            rows.Add(lines[index].Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        return rows;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
