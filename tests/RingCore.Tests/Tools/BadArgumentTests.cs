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
