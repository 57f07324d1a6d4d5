// jcadi-service: the Windows service host of the sync agent (README.md in this folder).
//   jcadi-service.exe                      started by the service manager: the service
//   jcadi-service[.exe|.dll] --console [--folder DIR] [--stop-timeout-seconds N]
//                                          the same supervision in a console (stops when its stdin ends)
using System;
using System.Globalization;

namespace JumpCloudADI.ServiceHost
{
    public static class Program
    {
        private const string Usage =
            "Usage: jcadi-service --console [--folder DIR] [--stop-timeout-seconds N]\n" +
            "  Runs <DIR>/jcadi-engine run --config <DIR>/agent.json --stop-on-stdin-close and supervises it\n" +
            "  as the Windows service would; stops it when this program's stdin ends (or on Ctrl+C).\n" +
            "  DIR defaults to this program's folder. Without --console, jcadi-service.exe is the Windows\n" +
            "  service JumpCloudADISync and must be started by the service manager (Start-JCSyncAgent).";

        public static int Main(string[] args)
        {
            var console = false;
            string folder = null;
            var stopTimeoutSeconds = (int)SupervisorOptions.DefaultStopTimeout.TotalSeconds;
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--console":
                        console = true;
                        break;
                    case "--folder":
                        if (++i >= args.Length)
                        {
                            return Fail("--folder needs a value");
                        }
                        folder = args[i];
                        break;
                    case "--stop-timeout-seconds":
                        int seconds;
                        if (++i >= args.Length || !int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out seconds) || seconds < 1 || seconds > 600)
                        {
                            return Fail("--stop-timeout-seconds needs a whole number from 1 to 600");
                        }
                        stopTimeoutSeconds = seconds;
                        break;
                    case "--help":
                    case "-h":
                    case "/?":
                        Console.Out.WriteLine(Usage);
                        return 0;
                    default:
                        return Fail("unknown argument '" + args[i] + "'");
                }
            }

            var windows = Environment.OSVersion.Platform == PlatformID.Win32NT;
            if (console)
            {
                var options = SupervisorOptions.ForFolder(folder ?? AppContext.BaseDirectory, windows);
                options.StopTimeout = TimeSpan.FromSeconds(stopTimeoutSeconds);
                return ConsoleHost.Run(options);
            }
#if WINDOWS_SERVICE
            if (OperatingSystem.IsWindows() && !Environment.UserInteractive)
            {
                try
                {
                    System.ServiceProcess.ServiceBase.Run(new AgentService());
                    return 0;
                }
                catch (Exception)
                {
                    // A failed OnStart: the SCM was told (ERROR_EXCEPTION_IN_SERVICE) and the reason is in
                    // logs\service.log and the Event Log (event 1); ServiceBase.Run then rethrows it. Ending
                    // here keeps it from being an unhandled exception (a crash report, under wine a debugger).
                    return 1;
                }
            }
            return Fail("this is the Windows service JumpCloudADISync: start it with Start-JCSyncAgent or Start-Service, or run it here with --console");
#else
            return Fail("this build runs only --console; the Windows service is the win-x64 build (jcadi-service.exe)");
#endif
        }

        private static int Fail(string message)
        {
            Console.Error.WriteLine("jcadi-service: " + message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }
}
