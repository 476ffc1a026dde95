// SPDX-License-Identifier: MIT
#pragma once
// Test support: one test function of this test program run again in a process of its own, for what a process does
// only once (load a library, a module): with extra environment, which the function checks to know it is the child.

#include <QCoreApplication>
#include <QMap>
#include <QProcess>
#include <QTest>

namespace ChildTest {
// Runs FUNCTION (with DATA_TAG, if any) in a child with ENV added; true if it exited 0 having passed it. *output
// gets what the child printed, to show when it did not.
inline bool passes(const char* testClass, const QString& function, const QMap<QString, QString>& env,
    QByteArray* output, const QString& dataTag = {})
{
    QProcess child;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        environment.insert(it.key(), it.value());
    child.setProcessEnvironment(environment);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QCoreApplication::applicationFilePath(), { dataTag.isEmpty() ? function : function + u':' + dataTag });
    const bool finished = child.waitForFinished(60000);
    *output = child.readAll();
    const QByteArray passed = "PASS   : " + QByteArray(testClass) + "::" + function.toUtf8() + '(';
    return finished && child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0 && output->contains(passed);
}
} // namespace ChildTest
