using System.Globalization;

namespace RingCore.Benchmarks.FasterStartup;

/// <summary>The process's resident memory as Linux accounts it (/proc/self/status), beside the managed heap.</summary>
internal static class ResidentMemory
{
    /// <summary>Prints the resident set now and at its peak, and the managed heap after a full collection.</summary>
    public static void Report(TextWriter output, string when)
    {
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {when,-40} resident {Mebibytes(Field("VmRSS")),8:N1} MiB, peak {Mebibytes(Field("VmHWM")),8:N1} MiB, managed heap {heap / 1048576.0,8:N1} MiB, threads {System.Diagnostics.Process.GetCurrentProcess().Threads.Count}"));
    }

    /// <summary>The resident set now, in bytes (-1 where /proc is missing).</summary>
    public static long Bytes() => Field("VmRSS");

    /// <summary>A "Name: N kB" line of /proc/self/status, in bytes; -1 where there is none (not Linux).</summary>
    private static long Field(string name)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return -1;
        }

        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                string kilobytes = line[(name.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }

    private static double Mebibytes(long bytes) => bytes / 1048576.0;
}
