using RingCore.Tools.RingCtl;

namespace RingCore.Tests.Tools;

/// <summary>Every bad input ends in exit code 2 and one line on stderr that names what was wrong; none throws.</summary>
public sealed class BadArgumentTests
{
    public static TheoryData<string[], string> BadArguments => new()
    {
        { ["plan", "--ring-size", "63", "--nodes", "a,b"], "63" },
        { ["plan", "--ring-size", "4", "--nodes", "a,b"], "--ring-size" },
        { ["plan", "--ring-size", "131072", "--nodes", "a,b"], "131072" },
        { ["plan", "--ring-size", "lots", "--nodes", "a,b"], "lots" },
        { ["plan", "--nodes", "a,,b"], "a,,b" },
        { ["plan", "--nodes", ""], "--nodes" },
        { ["plan", "--nodes", "a,b,a"], "'a'" },
        { ["plan", "--nodes", "a", "--nodes", "a"], "'a'" },
        { ["plan"], "--nodes" },
        { ["plan", "--nodes", "a,b,c", "--leave", "x"], "'x'" },
        { ["plan", "--nodes", "a,b,c", "--join", "b"], "'b'" },
        { ["plan", "--nodes", "a,b,c", "--join", "d,d"], "'d'" },
        { ["plan", "--nodes", "a,b", "--leave", "a,b"], "--leave" },
        { ["plan", "--nodes", "a,b", "--join", "c", "--leave", "z"], "'z'" },
        { ["plan", "--nodes", "a,b", "--target-n", "0"], "--target-n" },
        { ["plan", "--nodes", "a,b", "--target-n", "65"], "65" },
        { ["plan", "--nodes", "a,b", "--frobnicate"], "--frobnicate" },
        { ["locate", "--nodes", "a,b", "--key-hex", "abc"], "'abc'" },
        { ["locate", "--nodes", "a,b", "--key-hex", "0x0a"], "'x'" },
        { ["locate", "--nodes", "a,b", "--key-hex", "zz"], "'zz'" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--key-hex", "00"], "--key-hex" },
        { ["locate", "--nodes", "a,b"], "--key" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--keys-from", "f"], "--keys-from" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--hash", "md5"], "'md5'" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--hash", "riak"], "--bucket" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--bucket", "u", "--bucket-hex", "00"], "--bucket-hex" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--hash", "riak", "--bucket-hex", "0g"], "'0g'" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--hash", "riak", "--bucket", "u", "--bucket-hex", "00"], "--bucket-hex" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--n-val", "0"], "0" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--n-val", "65"], "65" },
        { ["locate", "--ring-size", "100", "--nodes", "a", "--key", "k"], "100" },
        { [], "command" },
        { ["frob"], "'frob'" },
        { ["--frob"], "'--frob'" },
        { ["frob", "--nodes", "a"], "'frob'" },
        { ["plan", "--ring-size", "8", "--nodes", "a,b,c,d,e,f,g,h,i"], "9 nodes" },
        { ["plan", "--ring-size", "8", "--nodes", "a,b,c,d,e,f,g,h", "--join", "i"], "--join" },
        { ["locate", "--ring-size", "8", "--nodes", "a,b,c,d,e,f,g,h,i", "--key", "k"], "8 partitions" },
        { ["plan", "--nodes", "a," + new string('n', 100_000)], "1024 UTF-8 bytes" },
        { ["plan", "--nodes", "a,b", "--join", new string('é', 600)], "--join" },
        { ["locate", "--nodes", "a,b", "--key", ""], "--key" },
        { ["locate", "--nodes", "a,b", "--key-hex", ""], "--key-hex" },
        { ["locate", "--nodes", "a,b", "--key", new string('k', 65_537)], "65537" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--bucket", ""], "--bucket" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--bucket-hex", ""], "--bucket-hex" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--hash", "riak", "--bucket", ""], "--bucket" },
        { ["locate", "--nodes", "a,b", "--key", "k", "--bucket", new string('b', 1025)], "1025" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_arguments_exit_2_with_a_message_naming_the_bad_value(string[] args, string named)
    {
        var run = RingCtlRun.Of(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(named, run.Error);
        Assert.Equal(string.Empty, run.Output);
        Assert.DoesNotContain("Exception", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.Single(run.ErrorLines); // one problem, one line (issue 12: an unknown command printed two)
        Assert.True(run.Error.Length < 400, $"the error quotes too much ({run.Error.Length} characters)");
    }

    [Fact]
    public void N_val_with_keys_from_is_refused_since_that_output_has_no_preference_list()
    {
        string path = LocateCommandTests.WriteTempFile("00\n");
        try
        {
            var run = RingCtlRun.Of("locate", "--nodes", "a,b,c", "--keys-from", path, "--n-val", "2");

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("--n-val", run.Error);
            Assert.Contains("--keys-from", run.Error);
            Assert.Equal(string.Empty, run.Output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_binary_line_in_a_keys_file_is_quoted_escaped_and_short()
    {
        // An escape sequence, a bell, a zero byte and a megabyte with no line break.
        byte[] binary = [.. "00\n"u8, 0x1b, .. "[2J"u8, 0x07, 0x00, 0xff, .. Enumerable.Repeat((byte)'x', 1 << 20)];
        string path = Path.Combine(Path.GetTempPath(), $"ringctl-binary-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, binary);
        try
        {
            var run = RingCtlRun.Of("locate", "--nodes", "a,b", "--keys-from", path);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("line 2", run.Error);
            Assert.Contains("\\x1b[2J\\x07\\x00", run.Error);
            Assert.DoesNotContain('\x1b', run.Error);
            Assert.DoesNotContain('\0', run.Error);
            Assert.DoesNotContain('\a', run.Error);
            Assert.Single(run.ErrorLines);
            Assert.True(run.Error.Length < 400, $"the error quotes too much ({run.Error.Length} characters)");
            Assert.Equal(string.Empty, run.Output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_keys_file_line_longer_than_the_longest_key_is_refused_without_reading_it_whole()
    {
        string path = LocateCommandTests.WriteTempFile("00\n" + new string('a', 2 * 65_536 + 2) + "\n");
        try
        {
            var run = RingCtlRun.Of("locate", "--nodes", "a,b", "--keys-from", path);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("line 2", run.Error);
            Assert.Contains("65536 bytes", run.Error);
            Assert.Single(run.ErrorLines);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_failed_write_is_an_io_error_with_its_own_exit_code_not_a_failed_verdict()
    {
        using var error = new StringWriter();

        int exitCode = RingCtlApp.Run(["plan", "--nodes", "a,b"], new FailingWriter(), error);

        Assert.Equal(3, exitCode);
        Assert.Equal("ringctl plan: No space left on device", error.ToString().Trim());
    }

    [Fact]
    public void Help_lists_the_exit_codes()
    {
        var run = RingCtlRun.Of("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (string code in new[] { "0 ", "1 ", "2 ", "3 " })
        {
            Assert.Contains(run.OutputLines, line => line.TrimStart().StartsWith(code, StringComparison.Ordinal));
        }

        Assert.Contains("Exit codes", run.Output);
    }

    private sealed class FailingWriter : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => throw new IOException("No space left on device");

        public override void Write(string? value) => throw new IOException("No space left on device");
    }

    [Fact]
    public void Missing_keys_file_is_named()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ringctl-missing-{Guid.NewGuid():N}.txt");

        var run = RingCtlRun.Of("locate", "--nodes", "a,b", "--keys-from", path);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(path, run.Error);
        Assert.Contains("not found", run.Error);
    }

    [Fact]
    public void Bad_line_in_keys_file_is_reported_with_its_line_number_and_nothing_is_printed()
    {
        string path = LocateCommandTests.WriteTempFile("00\n\n  0a0b \nnot-hex\nff\n");
        try
        {
            var run = RingCtlRun.Of("locate", "--nodes", "a,b", "--keys-from", path);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("line 4", run.Error);
            Assert.Contains("'not-hex'", run.Error);
            Assert.Equal(string.Empty, run.Output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Odd_length_line_in_keys_file_is_reported()
    {
        string path = LocateCommandTests.WriteTempFile("abc\n");
        try
        {
            var run = RingCtlRun.Of("locate", "--nodes", "a,b", "--keys-from", path);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("line 1", run.Error);
            Assert.Contains("odd number of digits", run.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("plan", "--help")]
    [InlineData("locate", "-h")]
    public void Help_is_printed_by_system_commandline(params string[] args)
    {
        var run = RingCtlRun.Of(args);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Output);
    }
}
