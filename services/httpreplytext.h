// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

class QNetworkReply;

// Why an HTTP request to a notifier (PagerDuty, Slack) failed, for people: "timed out after 10 s",
// "HTTP 403: invalid_token", "connection refused". Call on the reply's thread once it has finished.
QString describeReplyFailure(QNetworkReply* reply, int timeoutMs, const QByteArray& body);
