Console.WriteLine("dev broker");
