// Console mode (jcadi-service --console): the supervision of the Windows service without the
// service manager, to run the agent by hand or under .NET on Linux in tests. The host's own
// stdin reaching its end (or Ctrl+C, SIGTERM) stands for the service's stop; an agent that ends
// by itself is decided as the service would. Log lines go to stderr and logs/service.log; the last
// line on stdout is one JSON object: what the service would have reported.
using System;
using System.Globalization;
using System.IO;
using System.Threading;

namespace JumpCloudADI.ServiceHost
{
    public static class ConsoleHost
    {
        public static int Run(SupervisorOptions options)
        {
            var log = new HostLog(options.LogFile, line => Console.Error.WriteLine(line));
            var done = new ManualResetEvent(false);
            var finished = new ManualResetEvent(false);
            var outcome = new object();
            AgentExitedEventArgs ownExit = null;
            using (var supervisor = new AgentSupervisor(options, log))
            {
                supervisor.ExitedOnItsOwn += (sender, e) =>
                {
                    lock (outcome)
                    {
                        ownExit = e;
                    }
                    done.Set();
                };
                try
                {
                    supervisor.Start();
                }
                catch (Exception e)
                {
                    log.Error("cannot start the sync agent: " + e.Message);
                    WriteResult("startFailed", null, 1, false, false, false);
                    return 1;
                }
                Console.CancelKeyPress += (sender, e) =>
                {
                    e.Cancel = true;
                    done.Set();
                };
                // SIGTERM (or the console closing): the same stop, and the runtime waits for it.
                AppDomain.CurrentDomain.ProcessExit += (sender, e) =>
                {
                    done.Set();
                    finished.WaitOne(options.StopTimeout + TimeSpan.FromSeconds(15));
                };
                var stdinWatcher = new Thread(() =>
                {
                    try
                    {
                        using (var input = Console.OpenStandardInput())
                        {
                            var buffer = new byte[256];
                            while (input.Read(buffer, 0, buffer.Length) > 0)
                            {
                            }
                        }
                    }
                    catch (IOException)
                    {
                    }
                    done.Set();
                })
                { IsBackground = true, Name = "console stdin" };
                stdinWatcher.Start();
                done.WaitOne();

                AgentExitedEventArgs exit;
                lock (outcome)
                {
                    exit = ownExit;
                }
                ExitDecision decision;
                if (exit != null)
                {
                    decision = ExitPolicy.OnUnexpectedExit(exit.ExitCode, exit.LastError);
                    log.Write(decision.Level, decision.Message);
                    WriteResult("exitedOnItsOwn", exit.ExitCode, decision.ServiceExitCode, decision.Restart, false, false);
                }
                else
                {
                    var stop = supervisor.Stop(null);
                    decision = ExitPolicy.OnRequestedStop(stop.ExitCode, stop.Killed, (int)options.StopTimeout.TotalSeconds);
                    log.Write(decision.Level, decision.Message);
                    WriteResult("stopped", stop.ExitCode, decision.ServiceExitCode, decision.Restart, true, stop.Killed);
                }
                finished.Set();
                return decision.ServiceExitCode == 0 ? 0 : 1;
            }
        }

        private static void WriteResult(string how, int? agentExitCode, int serviceExitCode, bool restart, bool stopRequested, bool killed)
        {
            Console.Out.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "{{\"event\":\"{0}\",\"agentExitCode\":{1},\"serviceExitCode\":{2},\"restart\":{3},\"stopRequested\":{4},\"killed\":{5}}}",
                how,
                agentExitCode.HasValue ? agentExitCode.Value.ToString(CultureInfo.InvariantCulture) : "null",
                serviceExitCode,
                restart ? "true" : "false",
                stopRequested ? "true" : "false",
                killed ? "true" : "false"));
            Console.Out.Flush();
        }
    }
}
